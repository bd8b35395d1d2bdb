namespace IronLb.Core.Allocation;

/// <summary>
/// The free addresses of one prefix as disjoint, ascending, inclusive intervals. Finding the lowest free
/// address is O(1) and taking or returning one is a binary search plus at most one insertion, so the cost
/// depends on fragmentation, never on how full the prefix is (MetalLB scans from the first address).
/// </summary>
internal sealed class FreeIntervals
{
    private readonly List<Interval> _intervals = [];

    /// <summary>Builds the complement of <paramref name="usedAscending"/> within [first, last].</summary>
    public FreeIntervals(UInt128 first, UInt128 last, ReadOnlySpan<UInt128> usedAscending)
    {
        var next = first;
        var exhausted = false;
        foreach (var used in usedAscending)
        {
            if (used < next || used > last)
            {
                continue;
            }

            if (used > next)
            {
                _intervals.Add(new Interval(next, used - 1));
            }

            if (used == last)
            {
                exhausted = true;
                break;
            }

            next = used + 1;
        }

        if (!exhausted)
        {
            _intervals.Add(new Interval(next, last));
        }
    }

    public bool IsEmpty => _intervals.Count == 0;

    public UInt128 Lowest => _intervals[0].Start;

    public bool Contains(UInt128 value)
    {
        var index = Find(value);
        return index >= 0;
    }

    /// <summary>Marks an address used; false when it was not free.</summary>
    public bool Take(UInt128 value)
    {
        var index = Find(value);
        if (index < 0)
        {
            return false;
        }

        var interval = _intervals[index];
        if (interval.Start == interval.End)
        {
            _intervals.RemoveAt(index);
        }
        else if (value == interval.Start)
        {
            _intervals[index] = interval with { Start = value + 1 };
        }
        else if (value == interval.End)
        {
            _intervals[index] = interval with { End = value - 1 };
        }
        else
        {
            _intervals[index] = interval with { End = value - 1 };
            _intervals.Insert(index + 1, new Interval(value + 1, interval.End));
        }

        return true;
    }

    /// <summary>Marks an address free again, merging with its neighbours; false when it already was.</summary>
    public bool Return(UInt128 value)
    {
        var after = UpperBound(value);
        var before = after - 1;
        if (before >= 0 && _intervals[before].End >= value)
        {
            return false;
        }

        var joinsBefore = before >= 0 && _intervals[before].End == value - 1;
        var joinsAfter = after < _intervals.Count && _intervals[after].Start == value + 1;
        if (joinsBefore && joinsAfter)
        {
            _intervals[before] = _intervals[before] with { End = _intervals[after].End };
            _intervals.RemoveAt(after);
        }
        else if (joinsBefore)
        {
            _intervals[before] = _intervals[before] with { End = value };
        }
        else if (joinsAfter)
        {
            _intervals[after] = _intervals[after] with { Start = value };
        }
        else
        {
            _intervals.Insert(after, new Interval(value, value));
        }

        return true;
    }

    // Index of the interval containing value, or -1.
    private int Find(UInt128 value)
    {
        var index = UpperBound(value) - 1;
        return index >= 0 && _intervals[index].End >= value ? index : -1;
    }

    // First interval whose start is greater than value.
    private int UpperBound(UInt128 value)
    {
        int low = 0, high = _intervals.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_intervals[middle].Start <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private readonly record struct Interval(UInt128 Start, UInt128 End);
}
