using System.Globalization;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Session;

/// <summary>
/// A local speaker (AS 64512, 192.0.2.1) and a peer (AS 64513, 192.0.2.2), states reached by driving the machine
/// from Idle at <see cref="T0"/>, and a one-line rendering of actions so table rows read like the RFC's prose.
/// </summary>
internal static class SessionFixture
{
    public const uint LocalAsn = 64512;
    public const uint PeerAsn = 64513;
    public const uint LocalId = 0xC0000201;
    public const uint PeerId = 0xC0000202;

    public static readonly TimeSpan T0 = TimeSpan.FromSeconds(1000);

    public static BgpSessionConfig Config { get; } = new(LocalAsn, PeerAsn, LocalId);

    public static OpenMessage PeerOpen(ushort hold = 90, uint asn = PeerAsn, uint id = PeerId, params Capability[] capabilities) =>
        OpenMessage.Create(asn, hold, id, capabilities.Length == 0 ? [new MultiprotocolCapability(Afi.Ipv4, Safi.Unicast), new MultiprotocolCapability(Afi.Ipv6, Safi.Unicast), new RouteRefreshCapability()] : capabilities);

    /// <summary>The machine in <paramref name="state"/> at <see cref="T0"/> (Idle: fresh; "backoff": Idle after one failed dial).</summary>
    public static BgpSessionState At(string state, BgpSessionConfig? config = null)
    {
        var s = BgpSessionState.Initial(config ?? Config);
        if (state == "Idle")
        {
            return s;
        }

        s = Run(s, new StartEvent(T0));
        if (state == "backoff")
        {
            return Run(s, new TcpFailedEvent(T0));
        }

        if (state is "Connect" or "Active")
        {
            return s;
        }

        s = Run(s, new TcpConnectedEvent(T0));
        if (state == "OpenSent")
        {
            return s;
        }

        s = Run(s, new MessageReceivedEvent(T0, PeerOpen()));
        if (state == "OpenConfirm")
        {
            return s;
        }

        return Run(s, new MessageReceivedEvent(T0, KeepaliveMessage.Instance));
    }

    public static BgpSessionState Run(BgpSessionState state, BgpEvent @event) => BgpSession.Handle(state, @event).State;

    public static TimeSpan At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    public static string Describe(IEnumerable<BgpAction> actions) => string.Join("; ", actions.Select(Describe));

    /// <summary>Deadlines print as seconds after <see cref="T0"/>.</summary>
    public static string Describe(BgpAction action) => action switch
    {
        ConnectAction => "connect",
        CloseAction => "close",
        SendAction { Message: NotificationMessage n } => $"send NOTIFICATION {n.ErrorCode}/{n.ErrorSubcode}",
        SendAction send => $"send {send.Message.Type.ToString().ToUpperInvariant()}",
        ArmTimerAction arm => $"arm {arm.Timer}@{(arm.Deadline - T0).TotalSeconds.ToString(CultureInfo.InvariantCulture)}",
        DisarmTimerAction disarm => $"disarm {disarm.Timer}",
        SessionUpAction => "up",
        SessionDownAction down => $"down {down.Reason}",
        UpdateIgnoredAction => "update ignored",
        RouteRefreshRequestedAction refresh => $"refresh {refresh.Family.Afi}",
        _ => action.ToString(),
    };
}
