using System.Net;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Membership;

/// <summary>
/// Logs refused datagrams at most once per reason per period (10 s), with how many were refused since the
/// previous line for that reason: a flood must not turn into a flood of log lines. The counters
/// (MembershipCounters) hold the exact totals. Lock-free: the receive loop records, the tick loop flushes.
/// </summary>
internal sealed class RefusalLog(ILogger logger, TimeProvider time, TimeSpan? period = null)
{
    private static readonly int Size = Enum.GetValues<ReceiveOutcome>().Length;

    private readonly long _periodTicks = (long)((period ?? TimeSpan.FromSeconds(10)).TotalSeconds * time.TimestampFrequency);
    private readonly long[] _pending = new long[Size];
    private readonly long[] _loggedAt = Enumerable.Repeat(long.MinValue, Size).ToArray();
    private readonly IPEndPoint?[] _latest = new IPEndPoint?[Size];

    public void Refused(ReceiveOutcome reason, IPEndPoint from)
    {
        var index = (int)reason;
        Interlocked.Increment(ref _pending[index]);
        Volatile.Write(ref _latest[index], from);
        TryLog(index, time.GetTimestamp());
    }

    /// <summary>Writes the lines that are due, so the last refusals of a burst are reported once the period is over.</summary>
    public void Flush()
    {
        var now = time.GetTimestamp();
        for (var index = 0; index < Size; index++)
        {
            if (Volatile.Read(ref _pending[index]) > 0)
            {
                TryLog(index, now);
            }
        }
    }

    private void TryLog(int index, long now)
    {
        var last = Volatile.Read(ref _loggedAt[index]);
        if (last != long.MinValue && now - last < _periodTicks)
        {
            return;
        }

        // Whoever wins the swap writes the line; the other caller's refusal is in the count.
        if (Interlocked.CompareExchange(ref _loggedAt[index], now, last) != last)
        {
            return;
        }

        var count = Interlocked.Exchange(ref _pending[index], 0);
        if (count == 0)
        {
            return;
        }

        var reason = (ReceiveOutcome)index;
        var from = Volatile.Read(ref _latest[index])?.ToString() ?? "?";
        var seconds = (int)Math.Round(_periodTicks / (double)time.TimestampFrequency);
        if (Unexpected(reason))
        {
            MembershipLog.RefusedUnexpected(logger, count, reason, seconds, from);
        }
        else
        {
            MembershipLog.Refused(logger, count, reason, seconds, from);
        }
    }

    /// <summary>
    /// Traffic no speaker of this cluster sends: a stranger, a flood, a wrong key or a foreign protocol. The
    /// other reasons (a replay, a stale incarnation, a peer discovery has not reported yet) happen in normal
    /// operation around restarts and stay at Debug.
    /// </summary>
    public static bool Unexpected(ReceiveOutcome reason) => reason is ReceiveOutcome.UnknownSource or ReceiveOutcome.RateLimited
        or ReceiveOutcome.Oversized or ReceiveOutcome.Malformed or ReceiveOutcome.BadMagic or ReceiveOutcome.BadMac;
}
