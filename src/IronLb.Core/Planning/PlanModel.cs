using System.Collections.Immutable;
using System.Numerics;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

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
}

/// <summary>Total, assigned and available addresses of one family in one pool; exact, never saturated.</summary>
public sealed record FamilyUsage(BigInteger Total, BigInteger Assigned, BigInteger Available);

public sealed record PoolUsage(string Name, bool AutoAssign, FamilyUsage IPv4, FamilyUsage IPv6);

public sealed record AnnounceInfo(string Node, ImmutableArray<string> Interfaces);

public sealed record PlannedEvent(string Type, string Reason, string Message);

public sealed record ServicePlan(
    string Namespace,
    string Name,
    ImmutableArray<string> Ips,
    string? Pool,
    AnnounceInfo? Announce,
    ImmutableArray<PlannedEvent> Events);

/// <summary>A configuration error with the object it concerns; Source is the file when known.</summary>
public sealed record PlanError(string? File, string ObjectName, string Message);

public sealed record PlanResult(
    ImmutableArray<PoolUsage> Pools,
    ImmutableArray<ServicePlan> Services,
    ImmutableArray<PlanError> Errors);
