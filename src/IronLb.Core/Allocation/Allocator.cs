using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Configuration;

namespace IronLb.Core.Allocation;

/// <summary>
/// MetalLB's allocator as a single-threaded state machine (internal/allocator): which Service holds which
/// addresses, the sharing and port tables per address, and per-pool counters. It persists nothing; a
/// restarted controller rebuilds it by replaying Service status. Unlike MetalLB, pools are tried in a fixed
/// order (priority, then name) and a free address is found without scanning the used ones, and a Service
/// whose pool went away can be held on its addresses for a grace period (AllocatorHolds.cs).
/// </summary>
public sealed partial class Allocator
{
    private readonly Dictionary<ServiceKey, Allocation> _allocations = [];
    private readonly Dictionary<Address, AddressUse> _uses = [];
    private readonly Dictionary<string, HashSet<Address>> _bySharingKey = new(StringComparer.Ordinal);
    private Dictionary<string, PoolState> _pools = new(StringComparer.Ordinal);

    public LoadBalancerConfig Config { get; private set; } = LoadBalancerConfig.Empty;

    /// <summary>False until the first SetPools: "no configuration yet" is not "no pools".</summary>
    public bool HasConfig { get; private set; }

    public int AllocationCount => _allocations.Count;

    public IEnumerable<KeyValuePair<ServiceKey, Allocation>> Allocations => _allocations;

    public Allocation? Get(ServiceKey key) => _allocations.GetValueOrDefault(key);

    public PoolCounters Counters(string pool) =>
        _pools.TryGetValue(pool, out var state) ? new PoolCounters(state.InUseV4, state.InUseV6) : default;

    /// <summary>Services currently on an address (empty when nobody uses it).</summary>
    public IReadOnlyCollection<ServiceKey> UsersOf(Address address) =>
        _uses.TryGetValue(address, out var use) ? use.Services : [];

    /// <summary>
    /// Installs a new pool set. Allocations whose addresses left every pool (or became buggy) are dropped, as
    /// MetalLB's SetPools does, unless <paramref name="grace"/> is enabled: then they are held until the grace
    /// ends (<see cref="HeldAssignment"/>). Those that now fall in a differently named pool move there (a
    /// rename or split), and so do held ones that a pool contains again.
    /// </summary>
    /// <returns>The Services newly held, and those whose hold ended because a pool contains their addresses again.</returns>
    public PoolSetChange SetPools(LoadBalancerConfig config, PoolRemovalGrace grace = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        HasConfig = true;
        var held = ImmutableArray.CreateBuilder<HeldAssignment>();
        foreach (var (key, allocation) in _allocations.OrderBy(a => a.Key, ServiceKey.Ordinal).ToList())
        {
            var pool = PoolFor(allocation.Ips, allocation.Pool);
            if (pool is null)
            {
                if (grace.Enabled)
                {
                    held.Add(StartHold(key, allocation, grace.Until));
                }
                else
                {
                    Release(key);
                }
            }
            else if (!string.Equals(pool.Name, allocation.Pool, StringComparison.Ordinal))
            {
                _allocations[key] = allocation with { Pool = pool.Name };
            }
        }

        var resumed = ReviewHolds(grace);

        var usedV4 = _uses.Keys.Where(a => a.Family == IpFamily.IPv4).Select(a => a.Value).Order().ToArray();
        var usedV6 = _uses.Keys.Where(a => a.Family == IpFamily.IPv6).Select(a => a.Value).Order().ToArray();
        _pools = config.Pools.ToDictionary(p => p.Name, p => new PoolState(p, usedV4, usedV6), StringComparer.Ordinal);
        foreach (var allocation in _allocations.Values)
        {
            foreach (var ip in allocation.Ips)
            {
                _pools[allocation.Pool].AddHolder(ip);
            }
        }

        return new PoolSetChange(held.ToImmutable(), resumed);
    }

    /// <summary>
    /// Gives the Service exactly these addresses (MetalLB's Assign): they must lie in one pool compatible
    /// with the Service, be one per family, and be shareable. Replaces any previous allocation of the key.
    /// Returns null on success, else the reason.
    /// </summary>
    public string? Assign(AllocationRequest request, IReadOnlyList<Address> ips, string? preferredPool = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ips);
        var pool = PoolFor(ips, preferredPool ?? _allocations.GetValueOrDefault(request.Key)?.Pool);
        if (pool is null)
        {
            // MetalLB's text first, unchanged (people search for it), then what it leaves out: where the pools are.
            return $"{Families.Quote(ips)} is not allowed in config; {PoolMessages.WhyInNoPool(Config, ips)}";
        }

        if (!pool.IsCompatible(request.Key.Namespace, request.Labels))
        {
            return $"pool {pool.Name} not compatible for ip assignment";
        }

        if (ips.Count > 2)
        {
            return $"more than two addresses {Families.Quote(ips)}";
        }

        if (ips.Count == 2 && ips[0].Family == ips[1].Family)
        {
            return $"IPs {Families.Quote(ips)} have the same family";
        }

        foreach (var ip in ips)
        {
            if (CheckSharing(request, ip) is { } error)
            {
                return error;
            }
        }

        Release(request.Key);
        var allocation = new Allocation(pool.Name, [.. ips], request.Ports, request.SharingKey, request.BackendKey);
        _allocations[request.Key] = allocation;
        foreach (var ip in ips)
        {
            Occupy(request, ip);
            _pools[pool.Name].AddHolder(ip);
        }

        return null;
    }

    /// <summary>Frees whatever the Service holds, held addresses included; false when it held nothing.</summary>
    public bool Unassign(ServiceKey key) => Release(key);

    /// <summary>
    /// Automatic allocation (MetalLB's Allocate): pools pinned to the Service by serviceAllocation, best
    /// priority first; then general pools (no serviceAllocation). Only autoAssign pools take part.
    /// </summary>
    public AllocationResult Allocate(AllocationRequest request, ServiceFamily family, IpFamilyPolicy policy, IpFamily primary)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_allocations.TryGetValue(request.Key, out var existing))
        {
            return Reassert(request, existing);
        }

        var pinned = Config.Pools
            .Where(p => p.Allocation is { } a && p.AutoAssign
                && (a.Namespaces.Contains(request.Key.Namespace) || !a.ServiceSelectors.IsEmpty)
                && p.IsCompatible(request.Key.Namespace, request.Labels))
            .OrderBy(p => p.Allocation!.Priority > 0 ? p.Allocation.Priority : int.MaxValue)
            .ThenBy(p => p.Name, StringComparer.Ordinal);
        var result = AllocateFromPools(request, pinned, family, policy, primary);
        if (result.Succeeded)
        {
            return result;
        }

        var general = Config.Pools.Where(p => p.Allocation is null && p.AutoAssign);
        result = AllocateFromPools(request, general, family, policy, primary);
        return result.Succeeded ? result : AllocationResult.Fail("no available IPs");
    }

    /// <summary>Allocation from a named pool (the address-pool annotation); autoAssign does not matter.</summary>
    public AllocationResult AllocateFromPool(AllocationRequest request, string poolName, ServiceFamily family, IpFamilyPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_allocations.TryGetValue(request.Key, out var existing))
        {
            if (!Families.TryGetFamily(existing.Ips, out var held, out var familyError))
            {
                return AllocationResult.Fail(familyError);
            }

            if (held != family && policy != IpFamilyPolicy.PreferDualStack)
            {
                return AllocationResult.Fail($"IP for wrong family assigned {Families.Quote(existing.Ips)}");
            }

            return Reassert(request, existing);
        }

        if (!Config.ByName.TryGetValue(poolName, out var pool))
        {
            return AllocationResult.Fail($"unknown pool \"{poolName}\"; {PoolMessages.Existing(Config.Pools.Select(p => p.Name))}");
        }

        var (v4, v6) = FreeIps(pool, request);
        if (v4 is null && v6 is null)
        {
            return AllocationResult.Fail($"no available IPs in pool \"{poolName}\"");
        }

        if (!TrySelect(family, policy, v4, v6, out var ips))
        {
            return AllocationResult.Fail($"no available IPs in pool \"{poolName}\" for {family.ToWire()} IPFamily");
        }

        return AssignResult(request, ips, pool.Name);
    }

    /// <summary>
    /// The lowest address of each family in the pool that the Service could take: an unused one, or a
    /// shared one whose keys match and whose ports are free, whichever comes first in spec.addresses order.
    /// </summary>
    public (Address? V4, Address? V6) FreeIps(AddressPool pool, AllocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(request);
        if (!_pools.TryGetValue(pool.Name, out var state))
        {
            return (null, null);
        }

        return (Lowest(state, request, IpFamily.IPv4), Lowest(state, request, IpFamily.IPv6));
    }

    private Address? Lowest(PoolState state, AllocationRequest request, IpFamily family)
    {
        var unused = state.LowestUnused(family);
        (int Index, Address Address)? best = unused;
        if (request.SharingKey.Length > 0 && _bySharingKey.TryGetValue(request.SharingKey, out var shared))
        {
            foreach (var ip in shared)
            {
                if (ip.Family != family)
                {
                    continue;
                }

                var index = state.CidrIndexOf(ip);
                if (index < 0 || CheckSharing(request, ip) is not null)
                {
                    continue;
                }

                if (best is not { } b || index < b.Index || (index == b.Index && ip < b.Address))
                {
                    best = (index, ip);
                }
            }
        }

        return best?.Address;
    }

    private AllocationResult AllocateFromPools(AllocationRequest request, IEnumerable<AddressPool> pools, ServiceFamily family, IpFamilyPolicy policy, IpFamily primary)
    {
        // MetalLB's findBestPool: the first pool that serves the whole family wins; for PreferDualStack a
        // dual Service falls back to the first pool with the primary family, then the secondary one.
        AddressPool? chosen = null, primaryFallback = null, secondaryFallback = null;
        (Address? V4, Address? V6) chosenIps = default;
        foreach (var pool in pools)
        {
            var (v4, v6) = FreeIps(pool, request);
            if (v4 is null && v6 is null)
            {
                continue;
            }

            var servesFamily = family switch
            {
                ServiceFamily.IPv4 => v4 is not null,
                ServiceFamily.IPv6 => v6 is not null,
                _ => false,
            };
            if (servesFamily || (v4 is not null && v6 is not null))
            {
                chosen = pool;
                chosenIps = (v4, v6);
                break;
            }

            if (policy == IpFamilyPolicy.PreferDualStack && family == ServiceFamily.Dual)
            {
                var hasPrimary = primary == IpFamily.IPv4 ? v4 is not null : v6 is not null;
                if (hasPrimary)
                {
                    primaryFallback ??= pool;
                }
                else
                {
                    secondaryFallback ??= pool;
                }
            }
        }

        if (chosen is null)
        {
            chosen = primaryFallback ?? secondaryFallback;
            if (chosen is null)
            {
                return AllocationResult.Fail($"no suitable pool for {family.ToWire()} IPFamily");
            }

            chosenIps = FreeIps(chosen, request);
        }

        if (!TrySelect(family, policy, chosenIps.V4, chosenIps.V6, out var ips))
        {
            return AllocationResult.Fail($"no available IPs in pool \"{chosen.Name}\" for {family.ToWire()} IPFamily");
        }

        return AssignResult(request, ips, chosen.Name);
    }

    private static bool TrySelect(ServiceFamily family, IpFamilyPolicy policy, Address? v4, Address? v6, out List<Address> ips)
    {
        ips = [];
        switch (family)
        {
            case ServiceFamily.IPv4 when v4 is { } a:
                ips.Add(a);
                return true;
            case ServiceFamily.IPv6 when v6 is { } b:
                ips.Add(b);
                return true;
            case ServiceFamily.Dual when policy == IpFamilyPolicy.PreferDualStack:
                if (v4 is { } c)
                {
                    ips.Add(c);
                }

                if (v6 is { } d)
                {
                    ips.Add(d);
                }

                return ips.Count > 0;
            case ServiceFamily.Dual when v4 is { } e && v6 is { } f:
                ips.Add(e);
                ips.Add(f);
                return true;
            default:
                return false;
        }
    }

    private AllocationResult Reassert(AllocationRequest request, Allocation existing) =>
        AssignResult(request, existing.Ips, existing.Pool);

    private AllocationResult AssignResult(AllocationRequest request, IReadOnlyList<Address> ips, string pool) =>
        Assign(request, ips, pool) is { } error ? AllocationResult.Fail(error) : new AllocationResult([.. ips], null);

    /// <summary>The pool holding every address; the preferred one when it qualifies, else the first by name.</summary>
    public AddressPool? PoolFor(IReadOnlyList<Address> ips, string? preferred = null)
    {
        ArgumentNullException.ThrowIfNull(ips);
        if (ips.Count == 0)
        {
            return null;
        }

        if (preferred is not null && Config.ByName.TryGetValue(preferred, out var favourite) && ips.All(favourite.Contains))
        {
            return favourite;
        }

        foreach (var pool in Config.Pools)
        {
            if (ips.All(pool.Contains))
            {
                return pool;
            }
        }

        return null;
    }

    // MetalLB's checkSharing: may this Service use the address, given who else does?
    private string? CheckSharing(AllocationRequest request, Address ip)
    {
        if (!_uses.TryGetValue(ip, out var use))
        {
            return null;
        }

        var compatible = use.SharingKey.Length > 0 && request.SharingKey.Length > 0
            && string.Equals(use.SharingKey, request.SharingKey, StringComparison.Ordinal)
            && string.Equals(use.BackendKey, request.BackendKey, StringComparison.Ordinal);
        if (!compatible)
        {
            var others = use.Services.Where(s => s != request.Key).OrderBy(s => s, ServiceKey.Ordinal).ToList();
            if (others.Count > 0)
            {
                return $"can't change sharing key for \"{request.Key}\", address also in use by {string.Join(',', others)}";
            }
        }

        foreach (var port in request.Ports)
        {
            if (use.Ports.TryGetValue(port, out var owner) && owner != request.Key)
            {
                return $"port {port} is already in use on \"{ip}\"";
            }
        }

        return null;
    }

    private void Occupy(AllocationRequest request, Address ip)
    {
        if (!_uses.TryGetValue(ip, out var use))
        {
            use = new AddressUse();
            _uses[ip] = use;
            foreach (var state in _pools.Values)
            {
                state.MarkUsed(ip);
            }
        }
        else
        {
            IndexSharing(ip, use.SharingKey, add: false);
        }

        // The last assigner's keys describe the address, as in MetalLB.
        use.SharingKey = request.SharingKey;
        use.BackendKey = request.BackendKey;
        use.Services.Add(request.Key);
        foreach (var port in request.Ports)
        {
            use.Ports[port] = request.Key;
        }

        IndexSharing(ip, use.SharingKey, add: true);
    }

    private bool Release(ServiceKey key)
    {
        if (_allocations.Remove(key, out var allocation))
        {
            if (_pools.TryGetValue(allocation.Pool, out var poolState))
            {
                foreach (var ip in allocation.Ips)
                {
                    poolState.RemoveHolder(ip);
                }
            }
        }
        else if (_held.Remove(key, out var hold))
        {
            // A held allocation counts in no pool; only its uses are left to free.
            allocation = hold.Allocation;
        }
        else
        {
            return false;
        }

        foreach (var ip in allocation.Ips)
        {
            Vacate(key, ip);
        }

        return true;
    }

    private void Vacate(ServiceKey key, Address ip)
    {
        if (!_uses.TryGetValue(ip, out var use))
        {
            return;
        }

        use.Services.Remove(key);
        foreach (var port in use.Ports.Where(p => p.Value == key).Select(p => p.Key).ToList())
        {
            use.Ports.Remove(port);
        }

        if (use.Services.Count == 0)
        {
            _uses.Remove(ip);
            IndexSharing(ip, use.SharingKey, add: false);
            foreach (var state in _pools.Values)
            {
                state.MarkUnused(ip);
            }
        }
    }

    private void IndexSharing(Address ip, string sharingKey, bool add)
    {
        if (sharingKey.Length == 0)
        {
            return;
        }

        if (add)
        {
            if (!_bySharingKey.TryGetValue(sharingKey, out var set))
            {
                set = [];
                _bySharingKey[sharingKey] = set;
            }

            set.Add(ip);
        }
        else if (_bySharingKey.TryGetValue(sharingKey, out var set) && set.Remove(ip) && set.Count == 0)
        {
            _bySharingKey.Remove(sharingKey);
        }
    }

    private sealed class AddressUse
    {
        public string SharingKey { get; set; } = "";
        public string BackendKey { get; set; } = "";
        public HashSet<ServiceKey> Services { get; } = [];
        public Dictionary<ServicePort, ServiceKey> Ports { get; } = [];
    }
}
