namespace IronLb.Core.Announcement;

/// <summary>
/// Why a node does or does not announce a Service's addresses in BGP mode: Announce, or the reason MetalLB's
/// BGP speaker gives for withdrawing (metallb-bgp.md §3), plus NoPeers, which MetalLB does not name.
/// Every "no" is a table-test row.
/// </summary>
public enum BgpAnnounceDecision
{
    Announce,
    NotLoadBalancer,
    NoIpAllocated,
    InvalidIp,
    IpNotAllowed,

    /// <summary>No BGPAdvertisement of the pool includes this node (or the pool has none).</summary>
    NotOwner,

    /// <summary>Advertisements include the node, but none selects this Service.</summary>
    NoMatchingAdvertisement,

    /// <summary>Two advertisements send the same prefix to the same peer with different LOCAL_PREF.</summary>
    ConflictingAdvertisements,
    NodeNetworkUnavailable,
    NodeLabeledExcludeBalancers,
    NoLocalEndpoints,
    NoEndpoints,

    /// <summary>The node may announce, but no BGP session on it takes any of the routes (no peer selects the node, the advertisements' peers lists leave them out, or the families differ).</summary>
    NoPeers,
}

public static class BgpAnnounceDecisionExtensions
{
    /// <summary>The reason string MetalLB logs, so logs of the two implementations compare.</summary>
    public static string ToWire(this BgpAnnounceDecision decision) => decision switch
    {
        BgpAnnounceDecision.Announce => "",
        BgpAnnounceDecision.NotLoadBalancer => "notLoadBalancer",
        BgpAnnounceDecision.NoIpAllocated => "noIPAllocated",
        BgpAnnounceDecision.InvalidIp => "invalidIP",
        BgpAnnounceDecision.IpNotAllowed => "ipNotAllowed",
        BgpAnnounceDecision.NotOwner => "notOwner",
        BgpAnnounceDecision.NoMatchingAdvertisement => "noMatchingAdvertisement",
        BgpAnnounceDecision.ConflictingAdvertisements => "conflictingAdvertisements",
        BgpAnnounceDecision.NodeNetworkUnavailable => "nodeNetworkUnavailable",
        BgpAnnounceDecision.NodeLabeledExcludeBalancers => "nodeLabeledExcludeBalancers",
        BgpAnnounceDecision.NoLocalEndpoints => "noLocalEndpoints",
        BgpAnnounceDecision.NoEndpoints => "noEndpoints",
        BgpAnnounceDecision.NoPeers => "noPeers",
        _ => decision.ToString(),
    };
}
