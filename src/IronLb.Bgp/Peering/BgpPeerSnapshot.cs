using System.Net;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>
/// One peer's session as the driver last saw it, immutable and consistent (built by the driver's loop after each
/// event, so the counters and the state belong to the same moment). It backs MetalLB's metrics:
/// <c>metallb_bgp_session_up</c> (<see cref="SessionUp"/>), <c>metallb_bgp_announced_prefixes_total</c>
/// (<see cref="AdvertisedPrefixes"/>), <c>metallb_bgp_pending_prefixes_total</c> (<see cref="DesiredRoutes"/>) and
/// the counters' names.
/// </summary>
/// <param name="Peer">The peer's address and port.</param>
/// <param name="State">The machine's state.</param>
/// <param name="StateSince">Wall-clock time of the last state change, for display only (deadlines use the monotonic axis).</param>
/// <param name="Negotiated">The session's terms while OpenConfirm or Established (hold time, families, 4-octet AS, graceful restart).</param>
/// <param name="AdvertisedV4Prefixes">IPv4 prefixes the peer has from us (0 while down).</param>
/// <param name="AdvertisedV6Prefixes">IPv6 prefixes the peer has from us (0 while down).</param>
/// <param name="DesiredRoutes">The routes of the last <see cref="BgpPeerDriver.SetRoutes"/>.</param>
/// <param name="UnsendableRoutes">Desired routes this session cannot carry (family not negotiated, no next hop).</param>
/// <param name="Counters">Messages sent and received.</param>
/// <param name="LastCloseReason">Why the last connection ended.</param>
/// <param name="LastNotification">The last NOTIFICATION sent or received.</param>
/// <param name="LastError">The last dial or socket error, as text; null after a session came up.</param>
public sealed record BgpPeerSnapshot(
    IPEndPoint Peer,
    BgpState State,
    DateTimeOffset StateSince,
    NegotiatedSession? Negotiated,
    int AdvertisedV4Prefixes,
    int AdvertisedV6Prefixes,
    int DesiredRoutes,
    int UnsendableRoutes,
    BgpPeerCounters Counters,
    BgpCloseReason LastCloseReason,
    NotificationMessage? LastNotification,
    string? LastError)
{
    public bool SessionUp => State == BgpState.Established;

    public int AdvertisedPrefixes => AdvertisedV4Prefixes + AdvertisedV6Prefixes;
}

/// <summary>Message counters since the driver started, across connections (MetalLB's metric in each doc comment).</summary>
public sealed record BgpPeerCounters
{
    /// <summary><c>metallb_bgp_opens_sent</c>.</summary>
    public long OpensSent { get; init; }

    /// <summary><c>metallb_bgp_opens_received</c>.</summary>
    public long OpensReceived { get; init; }

    /// <summary><c>metallb_bgp_updates_total</c>.</summary>
    public long UpdatesSent { get; init; }

    /// <summary><c>metallb_bgp_updates_total_received</c>.</summary>
    public long UpdatesReceived { get; init; }

    /// <summary><c>metallb_bgp_keepalives_sent</c>.</summary>
    public long KeepalivesSent { get; init; }

    /// <summary><c>metallb_bgp_keepalives_received</c>.</summary>
    public long KeepalivesReceived { get; init; }

    /// <summary><c>metallb_bgp_notifications_sent</c>.</summary>
    public long NotificationsSent { get; init; }

    public long NotificationsReceived { get; init; }

    /// <summary><c>metallb_bgp_route_refresh_received</c> (named after FRR's counter; MetalLB exports route_refresh_sent, always 0 for us).</summary>
    public long RouteRefreshesReceived { get; init; }

    /// <summary><c>metallb_bgp_total_sent</c>.</summary>
    public long TotalSent => OpensSent + UpdatesSent + KeepalivesSent + NotificationsSent;

    /// <summary><c>metallb_bgp_total_received</c>.</summary>
    public long TotalReceived { get; init; }

    /// <summary>Dials started (the rate-limited dial log shows only changes; this shows the retries).</summary>
    public long Dials { get; init; }

    /// <summary>Times the session reached Established.</summary>
    public long SessionsEstablished { get; init; }
}
