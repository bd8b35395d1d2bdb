using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Globalization;
using IronLb.Bgp.Peering;

namespace IronLb.Speaker.Bgp;

/// <summary>
/// MetalLB's BGP series under its names (metallb-bgp.md §5), observed from the drivers' snapshots at each scrape, so a
/// removed session's series vanish with it as MetalLB deletes them. Label <c>peer</c> is "address:port", IPv6
/// unbracketed as MetalLB v0.16 writes it. The native speaker's four series, plus the message counters its FRR mode
/// exports; the counters restart with a session whose terms changed (a new driver), which Prometheus reads as a reset.
/// </summary>
internal static class BgpMetrics
{
    public static void Register(Meter meter, Func<ImmutableArray<(string Peer, BgpPeerSnapshot Snapshot)>> sessions)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(sessions);
        meter.CreateObservableGauge("metallb_bgp_session_up", () => Each(sessions, s => s.SessionUp ? 1 : 0), description: "BGP session state (1 is up, 0 is down)");
        meter.CreateObservableGauge("metallb_bgp_announced_prefixes_total", () => Each(sessions, s => s.SessionUp ? s.AdvertisedPrefixes : 0), description: "Number of prefixes currently being advertised on the BGP session");
        meter.CreateObservableGauge("metallb_bgp_pending_prefixes_total", () => Each(sessions, s => s.DesiredRoutes), description: "Number of prefixes that should be advertised on the BGP session");
        Counter(meter, sessions, "metallb_bgp_updates_total", c => c.UpdatesSent, "Number of BGP UPDATE messages sent");
        Counter(meter, sessions, "metallb_bgp_updates_total_received", c => c.UpdatesReceived, "Number of BGP UPDATE messages received");
        Counter(meter, sessions, "metallb_bgp_opens_sent", c => c.OpensSent, "Number of BGP open messages sent");
        Counter(meter, sessions, "metallb_bgp_opens_received", c => c.OpensReceived, "Number of BGP open messages received");
        Counter(meter, sessions, "metallb_bgp_notifications_sent", c => c.NotificationsSent, "Number of BGP notification messages sent");
        Counter(meter, sessions, "metallb_bgp_keepalives_sent", c => c.KeepalivesSent, "Number of BGP keepalive messages sent");
        Counter(meter, sessions, "metallb_bgp_keepalives_received", c => c.KeepalivesReceived, "Number of BGP keepalive messages received");
        Counter(meter, sessions, "metallb_bgp_total_sent", c => c.TotalSent, "Number of BGP messages sent");
        Counter(meter, sessions, "metallb_bgp_total_received", c => c.TotalReceived, "Number of BGP messages received");
        Counter(meter, sessions, "ironlb_bgp_notifications_received_total", c => c.NotificationsReceived, "BGP NOTIFICATION messages received from the peer");
        Counter(meter, sessions, "ironlb_bgp_route_refresh_received_total", c => c.RouteRefreshesReceived, "Route refresh requests received from the peer (RFC 2918)");
    }

    /// <summary>"address:port", IPv6 without brackets (MetalLB v0.16's label).</summary>
    public static string PeerLabel(BgpPeerSnapshot snapshot) =>
        string.Create(CultureInfo.InvariantCulture, $"{snapshot.Peer.Address}:{snapshot.Peer.Port}");

    private static void Counter(Meter meter, Func<ImmutableArray<(string Peer, BgpPeerSnapshot Snapshot)>> sessions, string name, Func<BgpPeerCounters, long> value, string description) =>
        meter.CreateObservableCounter(name, () => Each(sessions, s => value(s.Counters)), description: description);

    private static IEnumerable<Measurement<long>> Each(Func<ImmutableArray<(string Peer, BgpPeerSnapshot Snapshot)>> sessions, Func<BgpPeerSnapshot, long> value) =>
        sessions().Select(s => new Measurement<long>(value(s.Snapshot), new KeyValuePair<string, object?>("peer", PeerLabel(s.Snapshot))));
}
