using IronLb.Bgp.Session;
using IronLb.Bgp.Tests.Wire;
using IronLb.Bgp.Wire;
using static IronLb.Bgp.Tests.Session.SessionFixture;

namespace IronLb.Bgp.Tests.Session;

/// <summary>
/// RFC 4271 §8.2.2 as rows: a state reached from Idle at T0, one event, the state after and the actions in
/// order (deadlines in seconds after T0). Every NOTIFICATION the machine sends has a row here.
/// </summary>
public sealed class SessionTableTests
{
    private static readonly UpdateMessage Update = new([], [], [new System.Net.IPNetwork(System.Net.IPAddress.Parse("198.51.100.0"), 24)]);
    private static readonly NotificationMessage PeerCease = new(6, 2, []);

    private static BgpDecodeResult Fault(byte[] bytes) => BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));

    private static byte[] BrokenMarker()
    {
        var bytes = Golden.Keepalive.ToArray();
        bytes[3] = 0xFE;
        return bytes;
    }

    public static TheoryData<string, string, BgpEvent, BgpState, string> Rows() => new()
    {
        // Idle.
        { "start dials", "Idle", new StartEvent(T0), BgpState.Connect, "connect; arm ConnectRetry@120" },
        { "a connection while not started is refused", "Idle", new TcpConnectedEvent(T0), BgpState.Idle, "close" },
        { "stop in Idle does nothing", "Idle", new StopEvent(T0), BgpState.Idle, "" },
        { "messages in Idle are ignored", "Idle", new MessageReceivedEvent(T0, KeepaliveMessage.Instance), BgpState.Idle, "" },
        { "the back-off expires: dial again", "backoff", new TickEvent(At(1)), BgpState.Connect, "disarm IdleHold; connect; arm ConnectRetry@121" },
        { "a tick before the back-off ends does nothing", "backoff", new TickEvent(At(0.5)), BgpState.Idle, "" },
        { "start while backing off waits", "backoff", new StartEvent(At(0.5)), BgpState.Idle, "" },
        { "stop while backing off cancels it", "backoff", new StopEvent(At(0.5)), BgpState.Idle, "disarm IdleHold" },

        // Connect.
        { "connected: OPEN and the large hold time", "Connect", new TcpConnectedEvent(At(2)), BgpState.OpenSent, "disarm ConnectRetry; send OPEN; arm Hold@242" },
        { "dial failed: back off", "Connect", new TcpFailedEvent(At(2)), BgpState.Idle, "close; disarm ConnectRetry; arm IdleHold@3" },
        { "dial took the connect-retry time: dial again", "Connect", new TickEvent(At(120)), BgpState.Connect, "close; connect; arm ConnectRetry@240" },
        { "stop while dialling", "Connect", new StopEvent(At(2)), BgpState.Idle, "close; disarm ConnectRetry" },
        { "start while dialling is ignored", "Connect", new StartEvent(At(2)), BgpState.Connect, "" },
        { "a message before the connection: start over", "Connect", new MessageReceivedEvent(At(2), KeepaliveMessage.Instance), BgpState.Idle, "close; disarm ConnectRetry; arm IdleHold@3" },

        // OpenSent.
        { "acceptable OPEN", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen()), BgpState.OpenConfirm, "send KEEPALIVE; arm Hold@91; arm Keepalive@31" },
        { "OPEN with a smaller hold time", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen(hold: 9)), BgpState.OpenConfirm, "send KEEPALIVE; arm Hold@10; arm Keepalive@4" },
        { "OPEN with hold time 0: no timers", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen(hold: 0)), BgpState.OpenConfirm, "send KEEPALIVE; disarm Hold" },
        { "2/1 version 3", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen() with { Version = 3 }), BgpState.Idle, "send NOTIFICATION 2/1; close; disarm Hold; arm IdleHold@2" },
        { "2/2 peer AS not the configured one", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen(asn: 65000)), BgpState.Idle, "send NOTIFICATION 2/2; close; disarm Hold; arm IdleHold@2" },
        { "2/3 BGP identifier 0", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen(id: 0)), BgpState.Idle, "send NOTIFICATION 2/3; close; disarm Hold; arm IdleHold@2" },
        { "2/6 hold time 2 s", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen(hold: 2)), BgpState.Idle, "send NOTIFICATION 2/6; close; disarm Hold; arm IdleHold@2" },
        { "2/7 no common family", "OpenSent", new MessageReceivedEvent(At(1), PeerOpen(capabilities: [new MultiprotocolCapability(Afi.Ipv4, Safi.Multicast)])), BgpState.Idle, "send NOTIFICATION 2/7; close; disarm Hold; arm IdleHold@2" },
        { "5/1 KEEPALIVE before OPEN", "OpenSent", new MessageReceivedEvent(At(1), KeepaliveMessage.Instance), BgpState.Idle, "send NOTIFICATION 5/1; close; disarm Hold; arm IdleHold@2" },
        { "5/1 UPDATE before OPEN", "OpenSent", new MessageReceivedEvent(At(1), Update), BgpState.Idle, "send NOTIFICATION 5/1; close; disarm Hold; arm IdleHold@2" },
        { "1/2 codec fault on an OPEN", "OpenSent", new DecodeFailedEvent(At(1), Fault(Golden.Message(1, new byte[9])), BgpMessageType.Open), BgpState.Idle, "send NOTIFICATION 1/2; close; disarm Hold; arm IdleHold@2" },
        { "a NOTIFICATION is not answered", "OpenSent", new MessageReceivedEvent(At(1), PeerCease), BgpState.Idle, "close; disarm Hold; arm IdleHold@2" },
        { "a malformed NOTIFICATION is not answered", "OpenSent", new DecodeFailedEvent(At(1), Fault(Golden.Message(3, [6])), BgpMessageType.Notification), BgpState.Idle, "close; disarm Hold; arm IdleHold@2" },
        { "peer closed in OpenSent", "OpenSent", new TcpClosedEvent(At(1)), BgpState.Idle, "close; disarm Hold; arm IdleHold@2" },
        { "4/0 no OPEN within 4 minutes", "OpenSent", new TickEvent(At(240)), BgpState.Idle, "send NOTIFICATION 4/0; close; disarm Hold; arm IdleHold@241" },
        { "6/2 stop in OpenSent", "OpenSent", new StopEvent(At(1), "maintenance"), BgpState.Idle, "send NOTIFICATION 6/2; close; disarm Hold" },
        { "6/7 collision lost in OpenSent", "OpenSent", new CollisionLostEvent(At(1)), BgpState.Idle, "send NOTIFICATION 6/7; close; disarm Hold; arm IdleHold@2" },

        // OpenConfirm.
        { "KEEPALIVE confirms: Established", "OpenConfirm", new MessageReceivedEvent(At(1), KeepaliveMessage.Instance), BgpState.Established, "arm Hold@91; up" },
        { "5/2 OPEN in OpenConfirm", "OpenConfirm", new MessageReceivedEvent(At(1), PeerOpen()), BgpState.Idle, "send NOTIFICATION 5/2; close; disarm Hold; disarm Keepalive; arm IdleHold@2" },
        { "5/2 UPDATE in OpenConfirm", "OpenConfirm", new MessageReceivedEvent(At(1), Update), BgpState.Idle, "send NOTIFICATION 5/2; close; disarm Hold; disarm Keepalive; arm IdleHold@2" },
        { "keepalive timer in OpenConfirm", "OpenConfirm", new TickEvent(At(30)), BgpState.OpenConfirm, "send KEEPALIVE; arm Keepalive@60" },
        { "4/0 no KEEPALIVE within the hold time", "OpenConfirm", new TickEvent(At(90)), BgpState.Idle, "send NOTIFICATION 4/0; close; disarm Hold; disarm Keepalive; arm IdleHold@91" },
        { "6/7 collision lost in OpenConfirm", "OpenConfirm", new CollisionLostEvent(At(1)), BgpState.Idle, "send NOTIFICATION 6/7; close; disarm Hold; disarm Keepalive; arm IdleHold@2" },

        // Established.
        { "KEEPALIVE restarts the hold timer", "Established", new MessageReceivedEvent(At(10), KeepaliveMessage.Instance), BgpState.Established, "arm Hold@100" },
        { "UPDATE restarts the hold timer and is ignored", "Established", new MessageReceivedEvent(At(10), Update), BgpState.Established, "arm Hold@100; update ignored" },
        { "ROUTE-REFRESH for a negotiated family", "Established", new MessageReceivedEvent(At(10), new RouteRefreshMessage(Afi.Ipv6, Safi.Unicast)), BgpState.Established, "arm Hold@100; refresh Ipv6" },
        { "ROUTE-REFRESH for another family is ignored", "Established", new MessageReceivedEvent(At(10), new RouteRefreshMessage(Afi.Ipv4, Safi.Multicast)), BgpState.Established, "arm Hold@100" },
        { "treat-as-withdraw keeps the session", "Established", new DecodeFailedEvent(At(10), Fault(Golden.Update([], [.. Golden.OriginIgp, .. Golden.AsPath4], Golden.Slash32)), BgpMessageType.Update), BgpState.Established, "arm Hold@100; update ignored" },
        { "keepalive timer", "Established", new TickEvent(At(30)), BgpState.Established, "send KEEPALIVE; arm Keepalive@60" },
        { "5/3 OPEN in Established", "Established", new MessageReceivedEvent(At(10), PeerOpen()), BgpState.Idle, "send NOTIFICATION 5/3; close; disarm Hold; disarm Keepalive; down FsmError; arm IdleHold@11" },
        { "4/0 hold timer expired", "Established", new TickEvent(At(90)), BgpState.Idle, "send NOTIFICATION 4/0; close; disarm Hold; disarm Keepalive; down HoldTimerExpired; arm IdleHold@91" },
        { "3/1 codec fault on an UPDATE", "Established", new DecodeFailedEvent(At(10), Fault(Golden.Message(2, [0x00, 0x09, 0x00, 0x00])), BgpMessageType.Update), BgpState.Idle, "send NOTIFICATION 3/1; close; disarm Hold; disarm Keepalive; down MalformedMessage; arm IdleHold@11" },
        { "1/1 header fault from the framer", "Established", new DecodeFailedEvent(At(10), Fault(BrokenMarker()), BgpMessageType.None), BgpState.Idle, "send NOTIFICATION 1/1; close; disarm Hold; disarm Keepalive; down MalformedMessage; arm IdleHold@11" },
        { "peer's NOTIFICATION: down, not answered", "Established", new MessageReceivedEvent(At(10), PeerCease), BgpState.Idle, "close; disarm Hold; disarm Keepalive; down NotificationReceived; arm IdleHold@11" },
        { "peer closed", "Established", new TcpClosedEvent(At(10)), BgpState.Idle, "close; disarm Hold; disarm Keepalive; down ConnectionClosed; arm IdleHold@11" },
        { "6/2 stop in Established", "Established", new StopEvent(At(10), "drain"), BgpState.Idle, "send NOTIFICATION 6/2; close; disarm Hold; disarm Keepalive; down Stopped" },
        { "6/7 collision lost in Established", "Established", new CollisionLostEvent(At(10)), BgpState.Idle, "send NOTIFICATION 6/7; close; disarm Hold; disarm Keepalive; down CollisionLost; arm IdleHold@11" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Transition(string row, string from, BgpEvent @event, BgpState expectedState, string expectedActions)
    {
        var transition = BgpSession.Handle(At(from), @event);

        Assert.True(expectedActions == Describe(transition.Actions), $"{row}: {Describe(transition.Actions)}");
        Assert.Equal(expectedState, transition.State.State);
    }

    [Fact]
    public void Passive_start_waits_in_Active_and_answers_an_accepted_connection_with_OPEN()
    {
        var passive = Config with { Passive = true };
        var active = BgpSession.Handle(At("Idle", passive), new StartEvent(T0));
        var open = BgpSession.Handle(active.State, new TcpConnectedEvent(At(5)));

        Assert.Equal(BgpState.Active, active.State.State);
        Assert.Empty(active.Actions);
        Assert.Equal(BgpState.OpenSent, open.State.State);
        Assert.Equal("send OPEN; arm Hold@245", Describe(open.Actions));
    }

    [Fact]
    public void The_decoder_checks_our_identifier_for_iBGP_only()
    {
        Assert.Equal(new BgpDecodeContext(false, PeerAsn, 0), At("Idle").DecodeContext);
        Assert.Equal(new BgpDecodeContext(false, LocalAsn, LocalId), At("Idle", Config with { PeerAsn = LocalAsn }).DecodeContext);
        Assert.Equal(new BgpDecodeContext(false, 0, LocalId), At("Idle", Config with { PeerAsn = 0, Dynamic = DynamicAsn.Internal }).DecodeContext);
        Assert.Equal(new BgpDecodeContext(true, PeerAsn, 0), At("Established").DecodeContext);
    }

    [Fact]
    public void Stop_sends_administrative_shutdown_with_the_reason()
    {
        var transition = BgpSession.Handle(At("Established"), new StopEvent(At(1), "node drained"));

        var sent = Assert.IsType<SendAction>(transition.Actions[0]);
        Assert.Equal(NotificationMessage.AdministrativeShutdown("node drained"), sent.Message);
        Assert.Null(transition.State.IdleHoldDeadline);
        Assert.False(transition.State.Started);
    }

    [Fact]
    public void Session_up_carries_the_negotiated_terms_and_the_encoder_switches_to_4_octet_AS()
    {
        var transition = BgpSession.Handle(At("OpenConfirm"), new MessageReceivedEvent(At(1), KeepaliveMessage.Instance));

        var up = Assert.IsType<SessionUpAction>(transition.Actions[^1]);
        Assert.Equal(PeerAsn, up.Session.PeerAsn);
        Assert.True(up.Session.FourOctetAs);
        Assert.True(transition.State.FourOctetAs);
        Assert.Equal([BgpFamily.Ipv4Unicast, BgpFamily.Ipv6Unicast], up.Session.Families.Items);
        Assert.Equal(TimeSpan.FromSeconds(90), up.Session.HoldTime);
        Assert.Equal(TimeSpan.FromSeconds(30), up.Session.KeepaliveTime);
    }
}
