using System.Net.Sockets;
using IronLb.Networking.Egress;

namespace IronLb.Speaker.Egress;

/// <summary>
/// The speaker's one handle on the kernel's egress state: the evaluation loop applies rule sets and the metrics
/// scrape reads counters, from different threads, so every call into the (single-threaded) programmer is taken
/// under one lock. Replacing the table starts its counters from zero, so the counters are read just before each
/// replacement and carried, which keeps the exported totals monotonic as Prometheus counters must be.
/// </summary>
internal sealed class EgressKernel(EgressProgrammer programmer) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Service, AddressFamily Family), (ulong Packets, ulong Bytes)> _carried = [];

    /// <summary>Null when the set is in force, else why not (the text of an egressFailed event).</summary>
    public string? Apply(EgressRuleSet set)
    {
        lock (_lock)
        {
            var before = programmer.ReadCounters();
            var result = programmer.Apply(set);
            Carry(before, result);
            return result.Outcome == EgressApplyOutcome.Failed ? result.Reason ?? "refused" : null;
        }
    }

    /// <summary>Removes everything of IronLB's (a crashed run's leftovers at start, this run's at a clean stop).</summary>
    public string? Clear()
    {
        lock (_lock)
        {
            var before = programmer.ReadCounters();
            var result = programmer.Clear();
            Carry(before, result);
            return result.Outcome == EgressApplyOutcome.Failed ? result.Reason ?? "refused" : null;
        }
    }

    /// <summary>Translated packets and bytes per Service and family since the speaker started.</summary>
    public IReadOnlyList<EgressCounter> Totals()
    {
        lock (_lock)
        {
            var totals = new Dictionary<(string, AddressFamily), (ulong Packets, ulong Bytes)>(_carried);
            foreach (var counter in programmer.ReadCounters())
            {
                var before = totals.GetValueOrDefault((counter.Service, counter.Family));
                totals[(counter.Service, counter.Family)] = (before.Packets + counter.Packets, before.Bytes + counter.Bytes);
            }

            return [.. totals.OrderBy(t => t.Key.Item1, StringComparer.Ordinal).ThenBy(t => t.Key.Item2).Select(t => new EgressCounter(t.Key.Item1, t.Key.Item2, t.Value.Packets, t.Value.Bytes))];
        }
    }

    public void Dispose() => programmer.Dispose();

    // Once the table was replaced (its counters went with it): fold what it had counted, read just before, into the
    // carried totals. An unchanged or refused set left the old table and its counters where they were.
    private void Carry(IReadOnlyList<EgressCounter> before, EgressApplyResult result)
    {
        if (result.Outcome != EgressApplyOutcome.Applied)
        {
            return;
        }

        foreach (var counter in before)
        {
            var carried = _carried.GetValueOrDefault((counter.Service, counter.Family));
            _carried[(counter.Service, counter.Family)] = (carried.Packets + counter.Packets, carried.Bytes + counter.Bytes);
        }
    }
}
