using System.Collections.Immutable;
using IronLb.Core.Addressing;

namespace IronLb.Core.Allocation;

/// <summary>
/// How long a Service keeps addresses that no pool contains any more, and the time now, both on the
/// caller's monotonic axis (Core reads no clock). The default (a zero period) is MetalLB's behaviour:
/// such an assignment is dropped at once.
/// </summary>
public readonly record struct PoolRemovalGrace(TimeSpan Now, TimeSpan Period)
{
    public bool Enabled => Period > TimeSpan.Zero;

    /// <summary>When a hold that starts now ends.</summary>
    public TimeSpan Until => Now + Period;
}

/// <summary>
/// A Service kept on addresses that no pool contains (its pool was deleted, or changed to leave them out):
/// the addresses stay reserved for it, in no pool's counts, until <see cref="Until"/>; a pool that contains
/// them again before then ends the hold and the assignment simply stays.
/// </summary>
/// <param name="Key">The Service.</param>
/// <param name="Allocation">What it held; Pool names the pool the addresses came from (perhaps gone).</param>
/// <param name="Until">The end of the grace, on the axis of <see cref="PoolRemovalGrace.Now"/>.</param>
public sealed record HeldAssignment(ServiceKey Key, Allocation Allocation, TimeSpan Until)
{
    public ImmutableArray<Address> Ips => Allocation.Ips;

    public string Pool => Allocation.Pool;
}

/// <summary>What installing a pool set did to holds: Services newly held, and held ones that a pool contains again.</summary>
public sealed record PoolSetChange(ImmutableArray<HeldAssignment> Held, ImmutableArray<HeldAssignment> Resumed);

/// <summary>The pool-removal grace: the held set, its deadlines (given, never read from a clock), adoption at start-up.</summary>
public sealed partial class Allocator
{
    private readonly Dictionary<ServiceKey, HeldAssignment> _held = [];

    /// <summary>Every Service held on addresses no pool contains, ordered by key.</summary>
    public IReadOnlyList<HeldAssignment> Held => [.. _held.Values.OrderBy(h => h.Key, ServiceKey.Ordinal)];

    public HeldAssignment? HeldFor(ServiceKey key) => _held.GetValueOrDefault(key);

    /// <summary>The earliest end of a hold, or null when nothing is held: when the caller should call <see cref="EndHolds"/>.</summary>
    public TimeSpan? NextHoldEnd => _held.Count == 0 ? null : _held.Values.Min(h => h.Until);

    /// <summary>
    /// Ends every hold whose grace is over at <paramref name="now"/>: the Services lose the addresses, as
    /// MetalLB's SetPools would have done at once; converging them again clears their status.
    /// </summary>
    public ImmutableArray<HeldAssignment> EndHolds(TimeSpan now)
    {
        var ended = _held.Values.Where(h => h.Until <= now).OrderBy(h => h.Key, ServiceKey.Ordinal).ToImmutableArray();
        foreach (var hold in ended)
        {
            Release(hold.Key);
        }

        return ended;
    }

    /// <summary>
    /// A restarted controller's view of a Service whose status shows addresses that no pool contains: it has
    /// lost track of when the pool went, so the grace starts now. Null (nothing changes) when the grace is
    /// off, the Service is already known, a pool contains the addresses (the normal replay claims them),
    /// they are not one per family, or another Service holds them without a compatible sharing key.
    /// </summary>
    public HeldAssignment? Adopt(AllocationRequest request, IReadOnlyList<Address> ips, string? pool, PoolRemovalGrace grace)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ips);
        if (!grace.Enabled || !HasConfig || _allocations.ContainsKey(request.Key) || _held.ContainsKey(request.Key)
            || ips.Count is 0 or > 2 || (ips.Count == 2 && ips[0].Family == ips[1].Family)
            || PoolFor(ips) is not null || ips.Any(ip => CheckSharing(request, ip) is not null))
        {
            return null;
        }

        foreach (var ip in ips)
        {
            Occupy(request, ip);
        }

        var hold = new HeldAssignment(request.Key, new Allocation(pool ?? "", [.. ips], request.Ports, request.SharingKey, request.BackendKey), grace.Until);
        _held[request.Key] = hold;
        return hold;
    }

    // An allocation whose addresses left every pool: its uses stay (nobody else may take the addresses), it
    // leaves the allocations (so no pool counts it) and waits in the held set.
    private HeldAssignment StartHold(ServiceKey key, Allocation allocation, TimeSpan until)
    {
        _allocations.Remove(key);
        var hold = new HeldAssignment(key, allocation, until);
        _held[key] = hold;
        return hold;
    }

    // After a new pool set: a held Service whose addresses a pool contains again goes back to the allocations
    // (keeping its deadline would be pointless: it is no longer held); without a grace, the rest are dropped.
    private ImmutableArray<HeldAssignment> ReviewHolds(PoolRemovalGrace grace)
    {
        var resumed = ImmutableArray.CreateBuilder<HeldAssignment>();
        foreach (var hold in _held.Values.OrderBy(h => h.Key, ServiceKey.Ordinal).ToList())
        {
            if (PoolFor(hold.Ips, hold.Pool) is { } pool)
            {
                _held.Remove(hold.Key);
                _allocations[hold.Key] = hold.Allocation with { Pool = pool.Name };
                resumed.Add(hold);
            }
            else if (!grace.Enabled)
            {
                Release(hold.Key);
            }
        }

        return resumed.ToImmutable();
    }
}

/// <summary>
/// IronLB's own events for the pool-removal grace (MetalLB has no such state). The controller records them
/// when a hold begins and when a pool brings the addresses back; `ironlb status` shows the last Warning.
/// </summary>
public static class PoolRemovalGraceEvents
{
    /// <summary>Warning: the Service keeps addresses no pool contains, until the grace ends.</summary>
    public const string Held = "AddressHeld";

    /// <summary>Normal: a pool contains the held addresses again; the assignment stays.</summary>
    public const string Kept = "AddressKept";

    /// <param name="hold">The hold.</param>
    /// <param name="until">The end of the grace as a reader's clock shows it (the controller formats it).</param>
    public static string HeldMessage(HeldAssignment hold, string until)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var pool = hold.Pool.Length > 0 ? $"pool {hold.Pool} removed" : "no pool contains the address";
        return $"{pool}; keeping {Families.Quote(hold.Ips)} until {until} (--pool-removal-grace), then it is unassigned unless a pool allowing this Service contains it again";
    }

    public static string KeptMessage(HeldAssignment hold, string pool)
    {
        ArgumentNullException.ThrowIfNull(hold);
        return $"pool {pool} contains {Families.Quote(hold.Ips)} again; the assignment stays";
    }
}
