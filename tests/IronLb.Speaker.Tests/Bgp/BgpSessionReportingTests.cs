using System.Net;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;
using IronLb.Kubernetes.Status;
using IronLb.Speaker.Bgp;

namespace IronLb.Speaker.Tests.Bgp;

/// <summary>
/// What a speaker reports of its sessions: up or not since the last flip (not since each retry), prefixes sent of
/// wanted, and the most specific reason a session is down.
/// </summary>
public sealed class BgpSessionReportingTests
{
    private static readonly IPEndPoint Tor = IPEndPoint.Parse("192.0.2.254:179");
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_session_that_retries_keeps_its_report_and_one_that_comes_up_dates_from_then()
    {
        var reporting = new BgpSessionReporting();
        var first = reporting.Report([("tor", Snapshot(BgpState.Connect, T0, desired: 3, error: "Connection refused"))]);
        // Between attempts and the next dial: the state and its time change, the report does not.
        var idle = reporting.Report([("tor", Snapshot(BgpState.Idle, T0.AddSeconds(5), desired: 3, error: "Connection refused"))]);
        var again = reporting.Report([("tor", Snapshot(BgpState.Active, T0.AddSeconds(9), desired: 3, error: "Connection refused"))]);
        Assert.Equal(first, idle);
        Assert.Equal(first, again);
        Assert.Equal(new BgpSessionReport("tor", "192.0.2.254:179", BgpSessionReports.Connecting, T0, 0, 3, "Connection refused"), Assert.Single(first));

        var up = reporting.Report([("tor", Snapshot(BgpState.Established, T0.AddSeconds(20), desired: 3, advertised: 3))]);
        Assert.Equal(new BgpSessionReport("tor", "192.0.2.254:179", BgpSessionReports.Established, T0.AddSeconds(20), 3, 3, null), Assert.Single(up));

        // Counters move (keepalives), nothing reported changes.
        var later = reporting.Report([("tor", Snapshot(BgpState.Established, T0.AddSeconds(20), desired: 3, advertised: 3) with { Counters = new BgpPeerCounters { KeepalivesSent = 40 } })]);
        Assert.Equal(up, later);

        var down = reporting.Report([("tor", Snapshot(BgpState.Idle, T0.AddSeconds(90), desired: 3, advertised: 0, close: BgpCloseReason.HoldTimerExpired))]);
        Assert.Equal(new BgpSessionReport("tor", "192.0.2.254:179", BgpSessionReports.Connecting, T0.AddSeconds(90), 0, 3, "last connection: HoldTimerExpired"), Assert.Single(down));
    }

    [Fact]
    public void Sessions_are_reported_in_peer_order_and_a_removed_peer_starts_afresh()
    {
        var reporting = new BgpSessionReporting();
        var both = reporting.Report([("tor-b", Snapshot(BgpState.Connect, T0)), ("tor-a", Snapshot(BgpState.Established, T0.AddSeconds(1)))]);
        Assert.Equal(["tor-a", "tor-b"], both.Select(r => r.Peer));

        Assert.Equal(["tor-a"], reporting.Report([("tor-a", Snapshot(BgpState.Established, T0.AddSeconds(1)))]).Select(r => r.Peer));
        var back = reporting.Report([("tor-b", Snapshot(BgpState.Connect, T0.AddSeconds(60)))]);
        Assert.Equal(T0.AddSeconds(60), Assert.Single(back).Since);
    }

    [Theory]
    [InlineData("a dial error is the most specific", "No route to host", true, BgpCloseReason.ConnectFailed, "No route to host")]
    [InlineData("then the last NOTIFICATION", null, true, BgpCloseReason.NotificationReceived, "NOTIFICATION 2/2 OPEN Message Error: Bad Peer AS")]
    [InlineData("then how the connection ended", null, false, BgpCloseReason.ConnectionClosed, "last connection: ConnectionClosed")]
    [InlineData("nothing yet: a session that has not tried", null, false, BgpCloseReason.None, null)]
    public void Why_a_session_is_down(string desc, string? error, bool notification, BgpCloseReason close, string? expected)
    {
        Assert.NotEmpty(desc);
        var snapshot = Snapshot(BgpState.Active, T0, error: error, close: close) with
        {
            LastNotification = notification ? new NotificationMessage(2, 2, []) : null,
        };
        Assert.Equal(expected, BgpSessionReporting.WhyDown(snapshot));
    }

    private static BgpPeerSnapshot Snapshot(BgpState state, DateTimeOffset since, int desired = 0, int advertised = 0, string? error = null, BgpCloseReason close = BgpCloseReason.None) =>
        new(Tor, state, since, null, advertised, 0, desired, 0, new BgpPeerCounters(), close, null, error);
}
