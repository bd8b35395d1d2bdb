using System.Collections.Immutable;
using System.Numerics;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Egress;

namespace IronLb.Core.Planning;

/// <summary>Everything `ironlb plan` (or any whole-cluster replay) feeds to Core.</summary>
public sealed record PlanInput
{
    public required ClusterResources Resources { get; init; }
    public ImmutableArray<ServiceView> Services { get; init; } = [];

    /// <summary>
    /// Endpoints per Service. A Service missing from this map is assumed to have a ready endpoint on
    /// every candidate node (manifests rarely carry EndpointSlices).
    /// </summary>
    public ImmutableDictionary<ServiceKey, ServiceEndpoints> Endpoints { get; init; } =
        ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty;

    /// <summary>Election candidates; when empty, the Nodes in <see cref="Resources"/>.</summary>
    public ImmutableArray<string> CandidateNodes { get; init; } = [];

    /// <summary>--lb-class: which spec.loadBalancerClass this instance handles ("" = unset).</summary>
    public string LoadBalancerClass { get; init; } = "";

    /// <summary>The Nodes' InternalIPs and pod ranges, in name order (egress steers to the first, keeps the second inside).</summary>
    public ImmutableArray<NodeNetwork> NodeNetworks { get; init; } = [];

    /// <summary>The cluster's Service ranges (networking.k8s.io/v1 ServiceCIDR spec.cidrs), which egress keeps inside.</summary>
    public ImmutableArray<string> ServiceCidrs { get; init; } = [];
}

/// <summary>Total, assigned and available addresses of one family in one pool; exact, never saturated.</summary>
public sealed record FamilyUsage(BigInteger Total, BigInteger Assigned, BigInteger Available);

public sealed record PoolUsage(string Name, bool AutoAssign, FamilyUsage IPv4, FamilyUsage IPv6);

public sealed record AnnounceInfo(string Node, ImmutableArray<string> Interfaces);

/// <summary>
/// An event the controller would record. Field is the Service field the event is about (the annotation or
/// spec field that asked for the addresses), so a reader that knows positions can point at its line.
/// </summary>
public sealed record PlannedEvent(string Type, string Reason, string Message, string? Field = null);

public sealed record ServicePlan(
    string Namespace,
    string Name,
    ImmutableArray<string> Ips,
    string? Pool,
    AnnounceInfo? Announce,
    ImmutableArray<PlannedEvent> Events)
{
    /// <summary>Empty unless the Service asks for egress from its addresses; then one path per family.</summary>
    public ImmutableArray<FamilyEgress> Egress { get; init; } = [];

    /// <summary>
    /// The BGP announcement (which nodes send which prefixes to which peers, with which LOCAL_PREF and communities,
    /// or why not), computed per node exactly as each node's speaker computes it
    /// (<see cref="BgpAnnouncement.DecideForNode"/>); null when the configuration has no BGPAdvertisement at all.
    /// </summary>
    public BgpServiceAnnouncement? Bgp { get; init; }
}

/// <summary>
/// A configuration error or warning with the object it concerns. File is where the object starts
/// ("path:line") when known; Field is the offending field's path, for readers that can locate it.
/// </summary>
public sealed record PlanError(string? File, string ObjectName, string Message, string? Field = null);

/// <summary>
/// Errors reject the configuration (the cluster would keep its last good one); Warnings are findings the
/// configuration loads with, as MetalLB loads it (see <see cref="Configuration.ConfigParseResult"/>).
/// </summary>
public sealed record PlanResult(
    ImmutableArray<PoolUsage> Pools,
    ImmutableArray<ServicePlan> Services,
    ImmutableArray<PlanError> Errors)
{
    public ImmutableArray<PlanError> Warnings { get; init; } = [];
}
