using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Bgp.Tests.Peering;

/// <summary>
/// The driver over real TCP on loopback against <see cref="TestBgpListener"/>: sessions come up, the peer's RIB
/// equals what was set, changes go as diffs, stop sends Cease 6/2, failures reconnect. Waits are conditions with
/// generous deadlines, never timed assertions; the back-off is shortened so a reconnect takes a fraction of a second.
/// </summary>
public sealed class DriverTests
{
    public const uint LocalAsn = 64512;

    private static readonly BgpSessionConfig Config = new(LocalAsn, TestBgpListener.Asn, 0x0A00_0001)
    {
        IdleHoldTime = TimeSpan.FromMilliseconds(100),
        MaxIdleHoldTime = TimeSpan.FromMilliseconds(400),
    };

    [Fact]
    public async Task Over_IPv4_the_peer_ends_up_with_exactly_the_routes_set_in_both_families_then_End_of_RIB()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var routes = Routes(4, 3);
        var endpoint = new BgpPeerEndpoint(listener.EndPoint) { NextHopV6 = IPAddress.Parse("2001:db8::1") };
        await using var run = Run(endpoint, routes);

        await Eventually.WaitForAsync(() => listener.Holds(routes.Select(r => r.Prefix)) && listener.EndOfRib.Count == 2, "the routes and End-of-RIB at the peer");

        var v4 = listener.Rib[routes[0].Prefix];
        Assert.Equal(IPAddress.Loopback, Assert.IsType<NextHopAttribute>(v4.Find(AttributeType.NextHop)).Address);
        Assert.Equal([LocalAsn], Assert.IsType<AsPathAttribute>(v4.Find(AttributeType.AsPath)).Segments.SelectMany(s => s.Asns));
        var v6 = (MpReachNlriAttribute)listener.Rib[routes[^1].Prefix].Find(AttributeType.MpReachNlri)!;
        Assert.Equal(IPAddress.Parse("2001:db8::1"), v6.NextHop);
        Assert.Equal([Afi.Ipv4, Afi.Ipv6], listener.EndOfRib);
        Assert.Equal(2, listener.Updates);
        await Eventually.WaitForAsync(() => (run.Driver.Snapshot.AdvertisedV4Prefixes, run.Driver.Snapshot.AdvertisedV6Prefixes) == (4, 3), "the snapshot's counts per family");
    }

    [Fact]
    public async Task Over_IPv6_routes_carry_the_local_address_and_IPv4_ones_without_a_next_hop_are_counted()
    {
        await using var listener = new TestBgpListener(IPAddress.IPv6Loopback);
        var routes = Routes(1, 3);
        await using var run = Run(new BgpPeerEndpoint(listener.EndPoint), routes);

        await Eventually.WaitForAsync(() => listener.Holds(routes.Skip(1).Select(r => r.Prefix)) && listener.EndOfRib.Count == 2, "the IPv6 routes at the peer");

        var reach = (MpReachNlriAttribute)listener.Rib[routes[1].Prefix].Find(AttributeType.MpReachNlri)!;
        Assert.Equal(IPAddress.IPv6Loopback, reach.NextHop);
        await Eventually.WaitForAsync(() => run.Driver.Snapshot.UnsendableRoutes == 1, "the IPv4 route counted as unsendable");
        Assert.True(run.Driver.Snapshot.SessionUp);
    }

    [Fact]
    public async Task A_change_sends_only_the_diff()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var routes = Routes(3, 0);
        await using var run = Run(new BgpPeerEndpoint(listener.EndPoint), routes);
        await Eventually.WaitForAsync(() => listener.Holds(routes.Select(r => r.Prefix)) && listener.EndOfRib.Count == 2, "the first routes");
        var before = listener.Updates;

        ImmutableArray<OutboundRoute> next = [routes[0], routes[1] with { Communities = [0xFDE8_0064] }, new(IPNetwork.Parse("203.0.113.9/32"))];
        run.Driver.SetRoutes(next);

        await Eventually.WaitForAsync(() => listener.Holds(next.Select(r => r.Prefix)) && listener.Rib[routes[1].Prefix].Find(AttributeType.Communities) is not null, "the changed routes");
        // One UPDATE withdraws routes[2]; one announces the new route; one re-announces routes[1] with its community.
        Assert.Equal(3, listener.Updates - before);
        // The first session: one UPDATE for three routes, two End-of-RIB; then the three above.
        await Eventually.WaitForAsync(() => run.Driver.Snapshot.Counters.UpdatesSent == 1 + 2 + 3, "the driver's UPDATE count");
    }

    [Fact]
    public async Task A_route_refresh_gets_the_family_again_and_the_counters_and_observer_follow()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var routes = Routes(3, 2);
        var snapshots = new System.Collections.Concurrent.ConcurrentQueue<BgpPeerSnapshot>();
        var endpoint = new BgpPeerEndpoint(listener.EndPoint) { NextHopV6 = IPAddress.Parse("2001:db8::1") };
        await using var run = Run(endpoint, routes, snapshots.Enqueue);
        await Eventually.WaitForAsync(() => listener.Holds(routes.Select(r => r.Prefix)) && listener.EndOfRib.Count == 2, "the routes");
        var before = listener.Updates;

        await listener.SendAsync(new RouteRefreshMessage(Afi.Ipv6, Safi.Unicast));

        await Eventually.WaitForAsync(() => run.Driver.Snapshot.Counters.RouteRefreshesReceived == 1 && listener.Updates == before + 1, "the IPv6 routes again");
        Assert.True(listener.Holds(routes.Select(r => r.Prefix)));
        var counters = run.Driver.Snapshot.Counters;
        Assert.Equal((1, 1, 1, 0, 0), (counters.OpensSent, counters.OpensReceived, counters.SessionsEstablished, counters.NotificationsSent, counters.NotificationsReceived));
        Assert.Equal(2 + 2 + 1, counters.UpdatesSent);
        Assert.True(counters.KeepalivesSent >= 1 && counters.KeepalivesReceived >= 1);
        Assert.Contains(snapshots, s => s.State == BgpState.OpenSent);
        await Eventually.WaitForAsync(() => snapshots.Last() == run.Driver.Snapshot, "the observer to have seen the latest snapshot");
    }

    [Fact]
    public async Task A_thousand_prefixes_arrive_in_a_handful_of_UPDATEs()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var routes = Enumerable.Range(0, 1000).Select(i => new OutboundRoute(new IPNetwork(new IPAddress([198, 51, (byte)(100 + (i >> 8)), (byte)i]), 32))).ToImmutableArray();
        await using var run = Run(new BgpPeerEndpoint(listener.EndPoint), []);
        run.Driver.SetRoutes(routes);

        await Eventually.WaitForAsync(() => listener.Holds(routes.Select(r => r.Prefix)), "1,000 prefixes at the peer");

        Assert.InRange(listener.Updates, 1, 3);
        await Eventually.WaitForAsync(() => run.Driver.Snapshot.AdvertisedPrefixes == 1000, "the snapshot's count");
    }

    [Fact]
    public async Task Cancelling_sends_Cease_administrative_shutdown_and_returns()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var run = Run(new BgpPeerEndpoint(listener.EndPoint), Routes(1, 0));
        await Eventually.WaitForAsync(() => run.Driver.Snapshot.SessionUp, "the session");

        await run.DisposeAsync();

        await Eventually.WaitForAsync(() => !listener.Notifications.IsEmpty, "the NOTIFICATION at the peer");
        var cease = Assert.Single(listener.Notifications);
        Assert.Equal((6, 2), (cease.ErrorCode, cease.ErrorSubcode));
        Assert.Equal(BgpState.Idle, run.Driver.Snapshot.State);
        Assert.Equal(BgpCloseReason.Stopped, run.Driver.Snapshot.LastCloseReason);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task A_stop_that_keeps_routes_closes_without_Cease_only_when_graceful_restart_was_negotiated(bool peerOffersGracefulRestart, bool ceaseExpected)
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback) { GracefulRestart = peerOffersGracefulRestart };
        var run = Run(new BgpPeerEndpoint(listener.EndPoint), Routes(1, 0), config: Config with { GracefulRestart = true });
        await Eventually.WaitForAsync(() => run.Driver.Snapshot.SessionUp, "the session");

        run.Driver.KeepRoutesOnStop = true;
        await run.DisposeAsync();

        await Eventually.WaitForAsync(() => listener.Closes == 1, "the connection closed");
        Assert.Equal(ceaseExpected, !listener.Notifications.IsEmpty);
    }

    [Fact]
    public async Task When_the_peer_drops_the_connection_the_driver_reconnects_and_sends_everything_again()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var routes = Routes(5, 0);
        await using var run = Run(new BgpPeerEndpoint(listener.EndPoint), routes);
        await Eventually.WaitForAsync(() => listener.Holds(routes.Select(r => r.Prefix)), "the first session's routes");

        listener.Drop();

        await Eventually.WaitForAsync(() => listener.Sessions == 2 && listener.Holds(routes.Select(r => r.Prefix)), "the second session's routes");
        Assert.Equal(2, listener.AcceptedFrom.Count);
        await Eventually.WaitForAsync(() => run.Driver.Snapshot.Counters.SessionsEstablished == 2, "the driver's count");
    }

    [Fact]
    public async Task A_peer_s_NOTIFICATION_ends_the_session_without_an_answer_and_the_driver_comes_back()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        var routes = Routes(2, 0);
        await using var run = Run(new BgpPeerEndpoint(listener.EndPoint), routes);
        await Eventually.WaitForAsync(() => listener.Holds(routes.Select(r => r.Prefix)), "the first session");

        await listener.SendAsync(new NotificationMessage(6, 4, []));

        await Eventually.WaitForAsync(() => listener.Sessions == 2 && listener.Holds(routes.Select(r => r.Prefix)), "a second session");
        Assert.Empty(listener.Notifications);
        Assert.Equal(BgpCloseReason.NotificationReceived, run.Driver.Snapshot.LastCloseReason);
        Assert.Equal((6, 4), (run.Driver.Snapshot.LastNotification!.ErrorCode, run.Driver.Snapshot.LastNotification.ErrorSubcode));
        Assert.Equal(1, run.Driver.Snapshot.Counters.NotificationsReceived);
    }

    [Fact]
    public async Task A_peer_that_sends_garbage_gets_Connection_Not_Synchronized_and_the_driver_comes_back()
    {
        await using var listener = new TestBgpListener(IPAddress.Loopback) { GarbageOnce = true };
        var routes = Routes(2, 0);
        await using var run = Run(new BgpPeerEndpoint(listener.EndPoint), routes);

        await Eventually.WaitForAsync(() => listener.Sessions == 2 && listener.Holds(routes.Select(r => r.Prefix)), "a second session after the garbage");

        var notification = Assert.Single(listener.Notifications);
        Assert.Equal((1, 1), (notification.ErrorCode, notification.ErrorSubcode));
        Assert.Equal(1, run.Driver.Snapshot.Counters.NotificationsSent);
        Assert.Equal("1/1 Message Header Error: Connection Not Synchronized", NotificationText.Describe(run.Driver.Snapshot.LastNotification!));
    }

    [Fact]
    public async Task A_refused_dial_and_a_dial_nobody_answers_do_not_hold_up_another_peer()
    {
        RequireMd5();

        // A listener that expects MD5 from 127.0.0.3 drops that address's unsigned SYNs: a dial that hangs, on loopback.
        await using var silent = new TestBgpListener(IPAddress.Loopback, new Dictionary<IPAddress, string> { [IPAddress.Parse("127.0.0.3")] = "expected" });
        using var refused = RefusingSocket();
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        await using var hanging = Run(new BgpPeerEndpoint(silent.EndPoint) { SourceAddress = IPAddress.Parse("127.0.0.3"), ConnectTimeout = TimeSpan.FromMinutes(10) }, Routes(1, 0));
        await using var refusing = Run(new BgpPeerEndpoint((IPEndPoint)refused.LocalEndPoint!), Routes(1, 0));
        await Eventually.WaitForAsync(() => refusing.Driver.Snapshot.Counters.Dials >= 2, "the refused dial to be retried");

        await using var working = Run(new BgpPeerEndpoint(listener.EndPoint), Routes(1, 0));

        await Eventually.WaitForAsync(() => working.Driver.Snapshot.SessionUp, "the reachable peer's session");
        Assert.Equal(BgpState.Connect, hanging.Driver.Snapshot.State);
        Assert.Equal(1, hanging.Driver.Snapshot.Counters.Dials);
        Assert.Empty(silent.AcceptedFrom);
        Assert.NotNull(refusing.Driver.Snapshot.LastError);
        Assert.False(refusing.Driver.Snapshot.SessionUp);
    }

    [Fact]
    public async Task MD5_with_the_right_key_comes_up_and_with_a_wrong_key_never_reaches_the_listener()
    {
        RequireMd5();
        var wrongSource = IPAddress.Parse("127.0.0.2");
        await using var listener = new TestBgpListener(IPAddress.Loopback, new Dictionary<IPAddress, string> { [IPAddress.Loopback] = "right", [wrongSource] = "right" });
        await using var wrong = Run(new BgpPeerEndpoint(listener.EndPoint) { SourceAddress = wrongSource, Password = "wrong", ConnectTimeout = TimeSpan.FromMilliseconds(300) }, Routes(1, 0));
        await Eventually.WaitForAsync(() => wrong.Driver.Snapshot.Counters.Dials >= 2, "the wrong key's first dial to give up");

        await using var right = Run(new BgpPeerEndpoint(listener.EndPoint) { SourceAddress = IPAddress.Loopback, Password = "right" }, Routes(1, 0));

        await Eventually.WaitForAsync(() => right.Driver.Snapshot.SessionUp, "the session with the right key");
        Assert.All(listener.AcceptedFrom, e => Assert.Equal(IPAddress.Loopback, e.Address));
        Assert.Single(listener.AcceptedFrom);
        Assert.False(wrong.Driver.Snapshot.SessionUp);
    }

    [Fact]
    public async Task A_peer_that_keeps_refusing_is_logged_once_not_once_per_retry()
    {
        using var refused = RefusingSocket();
        var logger = new RecordingLogger();
        await using var run = Run(new BgpPeerEndpoint((IPEndPoint)refused.LocalEndPoint!), [], logger: logger);

        await Eventually.WaitForAsync(() => run.Driver.Snapshot.Counters.Dials >= 4, "several refused dials");

        var line = Assert.Single(logger.Lines, l => l.EventId == 1903);
        Assert.Contains(refused.LocalEndPoint!.ToString()!, line.Message, StringComparison.Ordinal);
        Assert.Contains("refused", line.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_key_longer_than_80_bytes_is_refused_before_any_dial()
    {
        var endpoint = new BgpPeerEndpoint(new IPEndPoint(IPAddress.Loopback, 179)) { Password = new string('k', 81) };

        Assert.Throws<ArgumentException>(() => new BgpPeerDriver(Config, endpoint, TimeProvider.System, NullLogger.Instance));
    }

    /// <summary>A kernel without CONFIG_TCP_MD5SIG refuses the option: skip here, fail in CI.</summary>
    private static void RequireMd5()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        string? problem = null;
        try
        {
            TcpMd5Option.Apply(probe, IPAddress.Loopback, "probe");
        }
        catch (SocketException e)
        {
            problem = $"the kernel refuses TCP_MD5SIG ({e.Message})";
        }

        Requirements.RequireOrFailInCi(problem);
    }

    internal static ImmutableArray<OutboundRoute> Routes(int v4, int v6) =>
    [
        .. Enumerable.Range(1, v4).Select(i => new OutboundRoute(new IPNetwork(new IPAddress([198, 51, 100, (byte)i]), 32), Communities: [0xFDE8_0001])),
        .. Enumerable.Range(1, v6).Select(i => new OutboundRoute(IPNetwork.Parse($"2001:db8:1::{i:x}/128"))),
    ];

    private static DriverRun Run(BgpPeerEndpoint endpoint, ImmutableArray<OutboundRoute> routes, Action<BgpPeerSnapshot>? changed = null, Microsoft.Extensions.Logging.ILogger? logger = null, BgpSessionConfig? config = null)
    {
        var driver = new BgpPeerDriver(config ?? Config, endpoint, TimeProvider.System, logger ?? NullLogger.Instance, changed);
        driver.SetRoutes(routes);
        var stop = new CancellationTokenSource();
        return new DriverRun(driver, stop, driver.RunAsync(stop.Token));
    }

    /// <summary>A loopback port with nothing listening: bound, never listened on, so the kernel answers SYNs with RST.</summary>
    private static Socket RefusingSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private sealed record DriverRun(BgpPeerDriver Driver, CancellationTokenSource Stop, Task Running) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await Running.WaitAsync(TimeSpan.FromSeconds(60));
            await Driver.DisposeAsync();
            Stop.Dispose();
        }
    }
}
