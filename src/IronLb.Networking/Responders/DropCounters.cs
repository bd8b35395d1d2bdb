using IronLb.Networking.Packets;

namespace IronLb.Networking.Responders;

/// <summary>
/// Frames per <see cref="DropReason"/>, counted by every responder lane in an array of its own: one writer
/// per array, so the packet path increments without an interlocked instruction and without pulling a cache
/// line over from the CPU of another lane. Readers sum the live arrays and what stopped lanes left behind.
/// </summary>
internal sealed class DropCounters
{
    private readonly Lock _gate = new();
    private readonly List<long[]> _live = [];
    private readonly long[] _retired = new long[DropReasonExtensions.Count];

    /// <summary>An array for one lane; give it back with <see cref="Retire"/> once the lane has stopped.</summary>
    public long[] Allocate()
    {
        var counts = new long[DropReasonExtensions.Count];
        lock (_gate)
        {
            _live.Add(counts);
        }

        return counts;
    }

    /// <summary>Folds a stopped lane's counts into the totals, so they survive the responder being replaced.</summary>
    public void Retire(long[] counts)
    {
        lock (_gate)
        {
            if (_live.Remove(counts))
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    _retired[i] += Volatile.Read(ref counts[i]);
                }
            }
        }
    }

    public long[] Snapshot()
    {
        lock (_gate)
        {
            var total = (long[])_retired.Clone();
            foreach (var counts in _live)
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    total[i] += Volatile.Read(ref counts[i]);
                }
            }

            return total;
        }
    }
}
