using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Speaker.Bgp;

/// <summary>
/// This node's BGP work for one evaluation: the sessions it runs (every BGPPeer whose nodeSelectors pick it, in name
/// order) and what each carries (the node's routes over all its Services, merged per peer and prefix), plus every
/// Service's decision for this node, for ServiceBGPStatus and the logs. Empty when the configuration has no BGPPeers.
/// </summary>
internal sealed record BgpNodePlan
{
    public static BgpNodePlan Empty { get; } = new();

    /// <summary>The BGPPeers that select this node; one session each.</summary>
    public ImmutableArray<BgpPeer> Peers { get; init; } = [];

    /// <summary>Every route of this node, peer then prefix order (<see cref="BgpRouteTable.Merge"/>).</summary>
    public ImmutableArray<BgpRoute> Routes { get; init; } = [];

    /// <summary>Each BGP-advertised Service's decision for this node, in key order; Services of pools without BGPAdvertisements are left out.</summary>
    public ImmutableArray<BgpServiceDecision> Services { get; init; } = [];

    /// <summary>The routes one peer's session carries, in prefix order.</summary>
    public ImmutableArray<BgpRoute> RoutesFor(string peer) => [.. Routes.Where(r => string.Equals(r.Peer, peer, StringComparison.Ordinal))];

    /// <summary>The peers each announcing Service goes to from this node (what its ServiceBGPStatus lists).</summary>
    public ImmutableArray<string> PeersOf(ServiceKey service) =>
        Services.FirstOrDefault(s => s.Service == service) is { } decision
            ? [.. decision.Announcement.Routes.Select(r => r.Peer).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : [];
}

/// <summary>One Service's BGP decision on this node, with the Service's addresses.</summary>
internal sealed record BgpServiceDecision(ServiceKey Service, ImmutableArray<string> Ips, NodeBgpAnnouncement Announcement)
{
    public bool Announces => Announcement.Decision == BgpAnnounceDecision.Announce;
}
