namespace IronLb.Speaker.Membership;

/// <summary>
/// A token bucket for one datagram source: <c>steady</c> tokens a second, at most <c>burst</c> saved up.
/// It is kept as a single timestamp (the generic cell rate algorithm: the time at which the bucket would be
/// full again), so taking a token is one compare-and-swap and the receive path never blocks on a lock.
/// Timestamps are the TimeProvider's monotonic ticks, never the wall clock.
/// </summary>
internal sealed class TokenBucket
{
    private readonly long _ticksPerToken;
    private readonly long _burstTicks;

    // When the bucket is full again; a value at or before "now" means full.
    private long _fullAt;

    /// <param name="steadyPerSecond">Tokens added per second (the sustained rate allowed).</param>
    /// <param name="burst">Tokens a full bucket holds (what may arrive at once after a quiet spell).</param>
    /// <param name="timestampFrequency">The TimeProvider's ticks per second.</param>
    /// <param name="now">The current timestamp: a new bucket starts full.</param>
    public TokenBucket(double steadyPerSecond, int burst, long timestampFrequency, long now)
    {
        if (steadyPerSecond <= 0 || burst < 1 || timestampFrequency <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(steadyPerSecond), "a token bucket needs a positive rate, a burst of at least 1 and a positive clock frequency");
        }

        _ticksPerToken = Math.Max(1, (long)(timestampFrequency / steadyPerSecond));
        _burstTicks = _ticksPerToken * burst;
        _fullAt = now;
    }

    /// <summary>Takes one token if there is one; false means the source is over its rate.</summary>
    public bool TryTake(long now)
    {
        while (true)
        {
            var fullAt = Volatile.Read(ref _fullAt);

            // A bucket that has been full for a while holds no more than a full bucket.
            var from = Math.Max(fullAt, now);
            var next = from + _ticksPerToken;
            if (next - now > _burstTicks)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _fullAt, next, fullAt) == fullAt)
            {
                return true;
            }
        }
    }
}
