namespace IronLb.Membership.Simulation;

/// <summary>
/// How late ticks ran against their due time, shared by every endpoint of a run: a histogram of 0.1 ms buckets up
/// to 2 s (later ticks land in the last one), so recording is one interlocked increment and percentiles are exact to 0.1 ms.
/// On a loaded machine the lag is what the protocol sees as a slow node; the bench prints it beside the results.
/// </summary>
internal sealed class TickLag
{
    private const int BucketsPerMs = 10;
    private readonly long[] _buckets = new long[(2000 * BucketsPerMs) + 1];

    public void Record(TimeSpan lag)
    {
        var bucket = (int)Math.Clamp(lag.TotalMilliseconds * BucketsPerMs, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[bucket]);
    }

    public void Reset()
    {
        for (var i = 0; i < _buckets.Length; i++)
        {
            Interlocked.Exchange(ref _buckets[i], 0);
        }
    }

    /// <summary>Ticks recorded, and the median, p99 and largest lag in milliseconds (the last bucket reads as ≥ 2000).</summary>
    public TickLagSample Sample()
    {
        var counts = (long[])_buckets.Clone(); // a torn snapshot at worst: a few ticks counted or not
        var total = counts.Sum();
        return new TickLagSample(total, Quantile(counts, total, 0.5), Quantile(counts, total, 0.99), Quantile(counts, total, 1.0));
    }

    private static double Quantile(long[] counts, long total, double q)
    {
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(total * q));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return (double)(i + 1) / BucketsPerMs;
            }
        }

        return (double)counts.Length / BucketsPerMs;
    }
}

/// <summary>Ticks recorded and their lag behind the due time: median, p99 and max, in milliseconds (bucket upper bounds).</summary>
internal sealed record TickLagSample(long Ticks, double MedianMs, double P99Ms, double MaxMs);
