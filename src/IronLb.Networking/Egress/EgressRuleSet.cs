using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Egress;

/// <summary>What this node does with one Service's outgoing traffic in one address family.</summary>
public enum EgressRole
{
    /// <summary>This node announces the Service's address: translate the endpoints' packets to it here.</summary>
    Translate,

    /// <summary>Another node announces it: send this node's endpoints' packets to that node.</summary>
    Steer,
}

/// <summary>
/// One Service's egress on this node for one family: packets from <see cref="Sources"/> to a destination outside
/// the cluster leave as <see cref="ServiceAddress"/>, translated here or steered to <see cref="NextHop"/>.
/// </summary>
public sealed record EgressEntry
{
    /// <summary>"namespace/name".</summary>
    public required string Service { get; init; }

    public required AddressFamily Family { get; init; }

    /// <summary>The Service's load-balancer address of <see cref="Family"/>: the source the world sees.</summary>
    public required IPAddress ServiceAddress { get; init; }

    /// <summary>Endpoint addresses of <see cref="Family"/>, distinct and sorted. Translate: all of the Service's;
    /// Steer: those that may run here (on this node, or on no named node).</summary>
    public required ImmutableArray<IPAddress> Sources { get; init; }

    public required EgressRole Role { get; init; }

    /// <summary>Steer only: the announcing node's InternalIP of <see cref="Family"/>.</summary>
    public IPAddress? NextHop { get; init; }

    public bool Equals(EgressEntry? other) =>
        other is not null
        && string.Equals(Service, other.Service, StringComparison.Ordinal)
        && Family == other.Family
        && ServiceAddress.Equals(other.ServiceAddress)
        && Sources.SequenceEqual(other.Sources)
        && Role == other.Role
        && Equals(NextHop, other.NextHop);

    public override int GetHashCode() => HashCode.Combine(Service, Family, ServiceAddress, Sources.Length, Role, NextHop);
}

/// <summary>
/// Everything IronLB programs for egress on one node, computed from the cluster and the announcement decision,
/// and handed whole to the kernel (one nftables transaction, then routes and rules). Immutable; two sets with
/// the same content are equal, so an evaluation that changes nothing writes nothing.
/// </summary>
public sealed record EgressRuleSet
{
    public static EgressRuleSet Empty { get; } = new();

    /// <summary>Ordered by Service (ordinal), then IPv4 before IPv6.</summary>
    public ImmutableArray<EgressEntry> Entries { get; init; } = [];

    /// <summary>Cluster-internal destinations (pod and Service ranges, node addresses, the configured excludes),
    /// both families, sorted: packets to them keep the pod's own source.</summary>
    public ImmutableArray<IPNetwork> Excluded { get; init; } = [];

    public bool IsEmpty => Entries.IsEmpty;

    public bool Equals(EgressRuleSet? other) =>
        other is not null && Entries.SequenceEqual(other.Entries) && Excluded.SequenceEqual(other.Excluded);

    public override int GetHashCode() => HashCode.Combine(Entries.Length, Excluded.Length);
}
