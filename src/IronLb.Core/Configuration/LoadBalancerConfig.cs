using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Numerics;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

/// <summary>A pool's serviceAllocation after namespace selectors were resolved.</summary>
public sealed record PoolAllocation(int Priority, ImmutableSortedSet<string> Namespaces, ImmutableArray<LabelSelector> ServiceSelectors)
{
    /// <summary>
    /// MetalLB's isPoolCompatibleWithService: the namespace must be listed (when any are) and a service
    /// selector must match (when there are any); both restrictions are ANDed.
    /// </summary>
    public bool IsCompatible(string serviceNamespace, IReadOnlyDictionary<string, string> serviceLabels)
    {
        if (Namespaces.Count > 0 && !Namespaces.Contains(serviceNamespace))
        {
            return false;
        }

        return ServiceSelectors.IsEmpty || ServiceSelectors.Any(s => s.Matches(serviceLabels));
    }
}

/// <summary>
/// An L2Advertisement as attached to a pool. Nodes is null when every node may announce; Interfaces is
/// empty when every (non-excluded) interface may be used.
/// </summary>
public sealed record L2Advertisement(
    string Name,
    ImmutableSortedSet<string>? Nodes,
    ImmutableSortedSet<string> Interfaces,
    ImmutableArray<LabelSelector> ServiceSelectors)
{
    public bool AllInterfaces => Interfaces.IsEmpty;

    public bool IncludesNode(string node) => Nodes is null || Nodes.Contains(node);

    public bool MatchesService(IReadOnlyDictionary<string, string> serviceLabels) =>
        ServiceSelectors.IsEmpty || ServiceSelectors.Any(s => s.Matches(serviceLabels));

    /// <summary>MetalLB attaches an advertisement to a pool only once per equivalent (nodes, interfaces, selectors).</summary>
    public bool IsEquivalentTo(L2Advertisement other) =>
        (Nodes is null ? other.Nodes is null : other.Nodes is not null && Nodes.SetEquals(other.Nodes))
        && Interfaces.SetEquals(other.Interfaces)
        && ServiceSelectors.Select(s => s.Canonical).Order(StringComparer.Ordinal)
            .SequenceEqual(other.ServiceSelectors.Select(s => s.Canonical).Order(StringComparer.Ordinal), StringComparer.Ordinal);
}

/// <summary>A validated IPAddressPool: CIDRs in spec order (which drives allocation order) and exact capacity.</summary>
public sealed record AddressPool
{
    public required string Name { get; init; }
    public required ImmutableArray<Cidr> Cidrs { get; init; }

    /// <summary>
    /// The spec.addresses entries written as CIDRs; ranges are left out, because the prefixes a range is
    /// cut into are not subnets, so their first and last addresses are not network or broadcast addresses.
    /// </summary>
    public ImmutableArray<Cidr> WrittenCidrs { get; init; } = [];
    public bool AutoAssign { get; init; } = true;
    public bool AvoidBuggyIps { get; init; }

    /// <summary>Null when the pool has no serviceAllocation at all (a "general" pool).</summary>
    public PoolAllocation? Allocation { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<L2Advertisement> L2Advertisements { get; init; } = [];
    public ImmutableArray<BgpAdvertisement> BgpAdvertisements { get; init; } = [];

    public BigInteger Capacity(IpFamily family)
    {
        var total = BigInteger.Zero;
        foreach (var cidr in Cidrs)
        {
            if (cidr.Family == family)
            {
                total += Addressing.Capacity.Of(cidr, AvoidBuggyIps);
            }
        }

        return total;
    }

    public bool HasFamily(IpFamily family) => Cidrs.Any(c => c.Family == family);

    /// <summary>Whether the address belongs to the pool; avoidBuggyIPs makes .0 and .255 foreign.</summary>
    public bool Contains(Address address) =>
        !(AvoidBuggyIps && address.IsBuggy) && Cidrs.Any(c => c.Contains(address));

    public bool IsCompatible(string serviceNamespace, IReadOnlyDictionary<string, string> serviceLabels) =>
        Allocation is null || Allocation.IsCompatible(serviceNamespace, serviceLabels);

    /// <summary>A stable text form of everything allocation depends on (advertisements excluded).</summary>
    internal string AllocationFingerprint =>
        $"{Name}|{string.Join(',', Cidrs)}|{AutoAssign}|{AvoidBuggyIps}|" +
        (Allocation is null ? "-" : $"{Allocation.Priority}|{string.Join(',', Allocation.Namespaces)}|{string.Join(';', Allocation.ServiceSelectors)}");
}

/// <summary>An immutable, validated configuration snapshot.</summary>
public sealed class LoadBalancerConfig
{
    public LoadBalancerConfig(IEnumerable<AddressPool> pools, IEnumerable<NodeResource>? nodes = null)
    {
        // Name order makes every "which pool first" decision deterministic (MetalLB uses Go map order).
        Pools = [.. pools.OrderBy(p => p.Name, StringComparer.Ordinal)];
        ByName = Pools.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
        Nodes = [.. (nodes ?? []).OrderBy(n => n.Name, StringComparer.Ordinal)];
    }

    public static LoadBalancerConfig Empty { get; } = new([]);

    public ImmutableArray<AddressPool> Pools { get; }

    public FrozenDictionary<string, AddressPool> ByName { get; }

    public ImmutableArray<NodeResource> Nodes { get; }

    /// <summary>The BGPPeers, in name order.</summary>
    public ImmutableArray<BgpPeer> BgpPeers
    {
        get;
        init => field = [.. value.OrderBy(p => p.Name, StringComparer.Ordinal)];
    } = [];

    /// <summary>True when the pools would allocate exactly the same way (the controller then does nothing).</summary>
    public bool AllocatesLike(LoadBalancerConfig other) =>
        Pools.Select(p => p.AllocationFingerprint).SequenceEqual(other.Pools.Select(p => p.AllocationFingerprint), StringComparer.Ordinal);
}
