using CsCheck;
using IronLb.Bgp.Session;
using IronLb.Bgp.Tests.Wire;
using IronLb.Bgp.Wire;
using static IronLb.Bgp.Tests.Session.SessionFixture;

namespace IronLb.Bgp.Tests.Session;

/// <summary>
/// The machine under random input (invariants), and two machines against each other on fake time: they come up
/// and stay up, and a silent peer is declared dead exactly one hold time after it last spoke.
/// </summary>
public sealed class SessionPropertyTests
{
    private const int Kinds = 18;

    private static readonly UpdateMessage Update = new([], [], []);

    private static BgpEvent Event(int kind, TimeSpan now, BgpSessionState state) => kind switch
    {
        0 => new StartEvent(now),
        1 => new StopEvent(now, "test"),
        2 => new TcpConnectedEvent(now),
        3 => new TcpFailedEvent(now),
        4 => new TcpClosedEvent(now),
        5 => new MessageReceivedEvent(now, PeerOpen()),
        6 => new MessageReceivedEvent(now, PeerOpen(asn: 1)),
        7 => new MessageReceivedEvent(now, PeerOpen(hold: 0)),
        8 => new MessageReceivedEvent(now, KeepaliveMessage.Instance),
        9 => new MessageReceivedEvent(now, Update),
        10 => new MessageReceivedEvent(now, new NotificationMessage(6, 4, [])),
        11 => new MessageReceivedEvent(now, new RouteRefreshMessage(Afi.Ipv4, Safi.Unicast)),
        12 => new DecodeFailedEvent(now, BgpCodec.TryDecode(Golden.Message(2, [0x00, 0x09, 0x00, 0x00]), default), BgpMessageType.Update),
        13 => new DecodeFailedEvent(now, BgpCodec.TryDecode(Golden.Message(3, [6]), default), BgpMessageType.Notification),
        14 => new DecodeFailedEvent(now, BgpCodec.TryDecode(Golden.Update([], [.. Golden.OriginIgp, .. Golden.AsPath4], Golden.Slash32), default), BgpMessageType.Update),
        15 => new CollisionLostEvent(now),
        16 => new TickEvent(state.NextDeadline is { } d && d > now ? d : now),
        _ => new TickEvent(now),
    };

    private static readonly Gen<BgpSessionConfig> Configs = Gen.Select(Gen.Bool, Gen.Int[0, 3].Select(i => (int[])[0, 3, 9, 90] is var holds ? holds[i] : 0), Gen.Bool, (passive, hold, gr) =>
        Config with { Passive = passive, HoldTime = TimeSpan.FromSeconds(hold), GracefulRestart = gr });

    /// <summary>The NOTIFICATIONs that have a row in <see cref="SessionTableTests"/>: the machine sends no other.</summary>
    private static readonly string[] TableNotifications = ["1/1", "1/2", "2/1", "2/2", "2/3", "2/6", "2/7", "3/1", "4/0", "5/1", "5/2", "5/3", "6/2", "6/7"];

    [Fact]
    public void Random_events_never_throw_and_keep_the_invariants() =>
        Gen.Select(Configs, Gen.Select(Gen.Int[0, Kinds - 1], Gen.Int[0, 100_000]).Array[1, 80]).Sample((config, steps) =>
        {
            var state = BgpSessionState.Initial(config);
            var now = TimeSpan.Zero;
            var timers = new Dictionary<BgpTimer, TimeSpan>();
            bool sentOpen = false, sentKeepalive = false, gotOpen = false, gotKeepalive = false;
            foreach (var (kind, deltaMs) in steps)
            {
                now += TimeSpan.FromMilliseconds(deltaMs);
                var @event = Event(kind, now, state);
                now = @event.Now;
                var before = state;
                var transition = BgpSession.Handle(state, @event);
                state = transition.State;

                var answeringNotification = @event is MessageReceivedEvent { Message: NotificationMessage } or DecodeFailedEvent { Type: BgpMessageType.Notification };
                var actions = transition.Actions.Items;
                for (var i = 0; i < actions.Length; i++)
                {
                    switch (actions[i])
                    {
                        case SendAction { Message: NotificationMessage n }:
                            Assert.False(answeringNotification, "a NOTIFICATION answered a NOTIFICATION");
                            Assert.Contains($"{n.ErrorCode}/{n.ErrorSubcode}", TableNotifications);
                            Assert.IsType<CloseAction>(actions[i + 1]);
                            break;
                        case SendAction { Message: OpenMessage }:
                            sentOpen = true;
                            break;
                        case SendAction { Message: KeepaliveMessage }:
                            sentKeepalive = true;
                            break;
                        case ArmTimerAction arm:
                            Assert.True(arm.Deadline >= now);
                            timers[arm.Timer] = arm.Deadline;
                            break;
                        case DisarmTimerAction disarm:
                            Assert.True(timers.Remove(disarm.Timer));
                            break;
                        case CloseAction:
                            sentOpen = sentKeepalive = gotOpen = gotKeepalive = false;
                            break;
                        default:
                            break;
                    }
                }

                if (before.State == BgpState.OpenSent && state.State == BgpState.OpenConfirm)
                {
                    gotOpen = true;
                }

                if (before.State == BgpState.OpenConfirm && state.State == BgpState.Established)
                {
                    gotKeepalive = true;
                    Assert.True(sentOpen && sentKeepalive && gotOpen, "Established before the OPEN exchange");
                }

                foreach (var timer in (ReadOnlySpan<BgpTimer>)[BgpTimer.ConnectRetry, BgpTimer.Hold, BgpTimer.Keepalive, BgpTimer.IdleHold])
                {
                    // The driver's view (actions applied) is the state's, and a timer lives only where it is used.
                    Assert.Equal(timers.TryGetValue(timer, out var deadline) ? deadline : null, state.Deadline(timer));
                    Assert.True(state.Deadline(timer) is null || timer.UsedIn(state.State), $"{timer} armed in {state.State}");
                }

                if (state.State == BgpState.Established)
                {
                    Assert.True(gotKeepalive && state.KeepaliveReceived && state.Negotiated is not null);
                }

                // A started machine in Idle is always waiting out its back-off; a stopped one never is.
                Assert.Equal(state.State == BgpState.Idle && state.Started, state.IdleHoldDeadline is not null);
            }
        }, iter: 2_000);

    private static BgpSessionConfig Side(int side, int hold) => side == 0
        ? new BgpSessionConfig(64512, 64513, 0xC0000201) { HoldTime = TimeSpan.FromSeconds(hold) }
        : new BgpSessionConfig(64513, 64512, 0xC0000202) { HoldTime = TimeSpan.FromSeconds(hold) };

    private static readonly Gen<(int HoldA, int HoldB, int LatencyMs, int StartB, int Minutes)> Peerings =
        Gen.Select(Gen.Int[3, 240], Gen.Int[3, 240], Gen.Int[0, 500], Gen.Int[0, 5_000], Gen.Int[1, 120]);

    private static FakePeering Up((int HoldA, int HoldB, int LatencyMs, int StartB, int Minutes) t)
    {
        var peering = new FakePeering(Side(0, t.HoldA), Side(1, t.HoldB), TimeSpan.FromMilliseconds(t.LatencyMs));
        peering.Post(0, new StartEvent(TimeSpan.Zero));
        peering.Post(1, new StartEvent(TimeSpan.FromMilliseconds(t.StartB)));
        peering.RunUntil(TimeSpan.FromSeconds(10));
        return peering;
    }

    [Fact]
    public void Two_active_speakers_reach_Established_and_stay_there() =>
        Peerings.Sample(t =>
        {
            var peering = Up(t);
            Assert.All(peering.States, s => Assert.Equal(BgpState.Established, s.State));

            var end = TimeSpan.FromMinutes(t.Minutes) + TimeSpan.FromSeconds(10);
            peering.RunUntil(end);

            Assert.All(peering.States, s => Assert.Equal(BgpState.Established, s.State));
            Assert.DoesNotContain(peering.Log, e => e.Action is SessionDownAction or CloseAction);
            var hold = TimeSpan.FromSeconds(Math.Min(t.HoldA, t.HoldB));
            for (var side = 0; side < 2; side++)
            {
                Assert.Equal(hold, peering.States[side].Negotiated!.HoldTime);
                var keepalive = peering.States[side].Negotiated!.KeepaliveTime;
                var sent = peering.Log.Count(e => e.Side == side && e.Action is SendAction { Message: KeepaliveMessage });
                Assert.True(sent >= (int)((end - TimeSpan.FromSeconds(10)) / keepalive), $"side {side}: {sent} keepalives every {keepalive}");
            }
        }, iter: 200);

    [Fact]
    public void A_silent_peer_is_declared_dead_exactly_one_hold_time_after_it_last_spoke() =>
        Gen.Select(Peerings, Gen.Int[0, 600_000]).Sample((t, silentAfterMs) =>
        {
            var peering = Up(t);
            peering.RunUntil(peering.Now + TimeSpan.FromMilliseconds(silentAfterMs));
            peering.Muted[1] = true;
            var hold = peering.States[0].Negotiated!.HoldTime;
            peering.RunUntil(peering.Now + hold + hold);

            var expiry = Assert.Single(peering.Log, e => e.Side == 0 && e.Action is SendAction { Message: NotificationMessage });
            Assert.Equal(new NotificationMessage(4, 0, []), ((SendAction)expiry.Action).Message);
            Assert.Equal(peering.LastReceived[0] + hold, expiry.At);
            Assert.Contains(peering.Log, e => e.Side == 0 && e.Action is SessionDownAction { Reason: BgpCloseReason.HoldTimerExpired } && e.At == expiry.At);
        }, iter: 200);
}
