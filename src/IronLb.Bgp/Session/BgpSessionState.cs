using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>
/// One session's whole state, immutable: the driver keeps the latest and hands it back with the next event.
/// Deadlines are on the driver's monotonic axis; null means the timer is not armed.
/// </summary>
public sealed record BgpSessionState(BgpSessionConfig Config)
{
    public BgpState State { get; init; }

    /// <summary>Start was given and Stop was not: after a failure the machine comes back by itself.</summary>
    public bool Started { get; init; }

    public TimeSpan? ConnectRetryDeadline { get; init; }

    public TimeSpan? HoldDeadline { get; init; }

    public TimeSpan? KeepaliveDeadline { get; init; }

    public TimeSpan? IdleHoldDeadline { get; init; }

    /// <summary>Failures since the last stable session: the next idle hold time is the first one doubled this many times, capped.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>The peer's accepted OPEN, from OpenConfirm on.</summary>
    public NegotiatedSession? Negotiated { get; init; }

    /// <summary>When Established was reached (to tell a stable session from a flap).</summary>
    public TimeSpan? EstablishedAt { get; init; }

    /// <summary>Whether the peer's KEEPALIVE confirmed our OPEN; with <see cref="Negotiated"/> this is what Established needs.</summary>
    public bool KeepaliveReceived { get; init; }

    public BgpCloseReason LastCloseReason { get; init; }

    /// <summary>The last NOTIFICATION sent or received, for status and logs.</summary>
    public NotificationMessage? LastNotification { get; init; }

    /// <summary>A fresh session: Idle, not started.</summary>
    public static BgpSessionState Initial(BgpSessionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new BgpSessionState(config);
    }

    /// <summary>Whether the encoder uses 4-octet ASNs (RFC 6793: only once both OPENs offered it).</summary>
    public bool FourOctetAs => Negotiated?.FourOctetAs ?? false;

    /// <summary>
    /// What the decoder needs for the next message: the negotiated AS width, and for an OPEN the fixed peer ASN
    /// and, for iBGP, our identifier (an eBGP peer may share it, RFC 6286).
    /// </summary>
    public BgpDecodeContext DecodeContext => new(
        FourOctetAs,
        Config.Dynamic == DynamicAsn.None ? Config.PeerAsn : 0,
        Config.Dynamic == DynamicAsn.Internal || (Config.Dynamic == DynamicAsn.None && Config.PeerAsn == Config.LocalAsn) ? Config.RouterId : 0);

    /// <summary>The earliest armed deadline: when the driver should send the next <see cref="TickEvent"/>.</summary>
    public TimeSpan? NextDeadline => Min(Min(ConnectRetryDeadline, HoldDeadline), Min(KeepaliveDeadline, IdleHoldDeadline));

    public TimeSpan? Deadline(BgpTimer timer) => timer switch
    {
        BgpTimer.ConnectRetry => ConnectRetryDeadline,
        BgpTimer.Hold => HoldDeadline,
        BgpTimer.Keepalive => KeepaliveDeadline,
        BgpTimer.IdleHold => IdleHoldDeadline,
        _ => null,
    };

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}

/// <summary>One step of the machine: the new state and the actions to perform, in order.</summary>
public sealed record BgpTransition(BgpSessionState State, EquatableArray<BgpAction> Actions);
