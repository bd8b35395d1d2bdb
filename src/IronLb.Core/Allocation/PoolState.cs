using IronLb.Core.Addressing;
using IronLb.Core.Configuration;

namespace IronLb.Core.Allocation;

/// <summary>
/// The allocator's per-pool bookkeeping: free space per prefix (in spec.addresses order, which is the
/// allocation order), and how many distinct addresses allocations from this pool hold.
/// </summary>
internal sealed class PoolState
{
    private readonly FreeIntervals[] _free;

    // Prefix indexes that still have free space, per family: the first is where the lowest free address is.
    private readonly SortedSet<int> _withSpaceV4 = [];
    private readonly SortedSet<int> _withSpaceV6 = [];
    private readonly Dictionary<Address, int> _inUse = [];

    public PoolState(AddressPool pool, ReadOnlySpan<UInt128> usedV4Ascending, ReadOnlySpan<UInt128> usedV6Ascending)
    {
        Pool = pool;
        _free = new FreeIntervals[pool.Cidrs.Length];
        for (var i = 0; i < pool.Cidrs.Length; i++)
        {
            var cidr = pool.Cidrs[i];
            var used = cidr.Family == IpFamily.IPv4 ? usedV4Ascending : usedV6Ascending;
            _free[i] = new FreeIntervals(cidr.First.Value, cidr.Last.Value, used);
            if (!_free[i].IsEmpty)
            {
                WithSpace(cidr.Family).Add(i);
            }
        }
    }

    public AddressPool Pool { get; }

    public int InUseV4 { get; private set; }

    public int InUseV6 { get; private set; }

    public int InUse(IpFamily family) => family == IpFamily.IPv4 ? InUseV4 : InUseV6;

    /// <summary>
    /// The lowest unused address of a family in allocation order, as (prefix index, address). Buggy
    /// addresses met on the way are dropped from the free space for good: the pool can never hand them out.
    /// </summary>
    public (int CidrIndex, Address Address)? LowestUnused(IpFamily family)
    {
        var withSpace = WithSpace(family);
        while (withSpace.Count > 0)
        {
            var index = withSpace.Min;
            var free = _free[index];
            while (!free.IsEmpty)
            {
                var candidate = Pool.Cidrs[index].First with { Value = free.Lowest };
                if (Pool.AvoidBuggyIps && candidate.IsBuggy)
                {
                    free.Take(candidate.Value);
                    continue;
                }

                return (index, candidate);
            }

            withSpace.Remove(index);
        }

        return null;
    }

    /// <summary>Position of an address in allocation order, or -1 when the pool does not hold it.</summary>
    public int CidrIndexOf(Address address)
    {
        if (Pool.AvoidBuggyIps && address.IsBuggy)
        {
            return -1;
        }

        for (var i = 0; i < Pool.Cidrs.Length; i++)
        {
            if (Pool.Cidrs[i].Contains(address))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>An address became used by some service (from any pool, pools may overlap in tests).</summary>
    public void MarkUsed(Address address)
    {
        var index = CidrIndexOf(address);
        if (index >= 0 && _free[index].Take(address.Value) && _free[index].IsEmpty)
        {
            WithSpace(address.Family).Remove(index);
        }
    }

    /// <summary>An address is no longer used by anyone.</summary>
    public void MarkUnused(Address address)
    {
        var index = CidrIndexOf(address);
        if (index >= 0 && _free[index].Return(address.Value))
        {
            WithSpace(address.Family).Add(index);
        }
    }

    /// <summary>One more allocation from this pool holds the address.</summary>
    public void AddHolder(Address address)
    {
        _inUse.TryGetValue(address, out var holders);
        _inUse[address] = holders + 1;
        if (holders == 0)
        {
            Count(address.Family, +1);
        }
    }

    public void RemoveHolder(Address address)
    {
        if (!_inUse.TryGetValue(address, out var holders))
        {
            return;
        }

        if (holders == 1)
        {
            _inUse.Remove(address);
            Count(address.Family, -1);
        }
        else
        {
            _inUse[address] = holders - 1;
        }
    }

    private void Count(IpFamily family, int delta)
    {
        if (family == IpFamily.IPv4)
        {
            InUseV4 += delta;
        }
        else
        {
            InUseV6 += delta;
        }
    }

    private SortedSet<int> WithSpace(IpFamily family) => family == IpFamily.IPv4 ? _withSpaceV4 : _withSpaceV6;
}
