using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>What the driver must do, in order. The machine itself does nothing.</summary>
public abstract record BgpAction;

/// <summary>Dial the peer (its address, port, source address and MD5 key are the driver's).</summary>
public sealed record ConnectAction : BgpAction
{
    public static ConnectAction Instance { get; } = new();
}

/// <summary>Close the connection (or abandon the dial), after flushing what was sent before.</summary>
public sealed record CloseAction : BgpAction
{
    public static CloseAction Instance { get; } = new();
}

/// <summary>Encode and write a message (4-octet AS per <see cref="BgpSessionState.FourOctetAs"/>).</summary>
public sealed record SendAction(BgpMessage Message) : BgpAction;

/// <summary>(Re)arm a timer to fire at <see cref="Deadline"/>; the driver ticks at the earliest deadline.</summary>
public sealed record ArmTimerAction(BgpTimer Timer, TimeSpan Deadline) : BgpAction;

public sealed record DisarmTimerAction(BgpTimer Timer) : BgpAction;

/// <summary>The session reached Established with these terms: start announcing.</summary>
public sealed record SessionUpAction(NegotiatedSession Session) : BgpAction;

/// <summary>An Established session ended: the peer has dropped our routes (or keeps them stale with graceful restart).</summary>
public sealed record SessionDownAction(BgpCloseReason Reason, NotificationMessage? Notification) : BgpAction;

/// <summary>The peer sent routes; we only announce, so they are counted and dropped.</summary>
public sealed record UpdateIgnoredAction(UpdateMessage Update) : BgpAction;

/// <summary>The peer asked for our routes again (RFC 2918): re-send the family's announcements.</summary>
public sealed record RouteRefreshRequestedAction(BgpFamily Family) : BgpAction;
