using System.Collections.Immutable;
using System.Net;

namespace IronLb.Chaos.Soak;

/// <summary>One step of a run on the soak's clock: from its fault's injection to the next one's (the heal and the quiet gap belong to it).</summary>
internal sealed record Phase(int Index, FaultKind Kind, string Node, TimeSpan Start, TimeSpan? Healed, TimeSpan End);

/// <summary>One phase judged on the wire.</summary>
internal sealed record PhaseVerdict(Phase Phase, int DoubleRounds, WireRun? LongestDouble, WireRun? LongestUnanswered)
{
    public TimeSpan DoubleTime => LongestDouble?.Length ?? TimeSpan.Zero;

    public TimeSpan UnansweredTime => LongestUnanswered?.Length ?? TimeSpan.Zero;
}

/// <summary>
/// The soak's wire arithmetic, on the fault matrix's samples (<see cref="WireJudge.Samples"/>) and the API
/// snapshots. Two answerers count everywhere. Unanswered counts only while the address should be answered
/// (<see cref="ClusterSnapshot.Expected"/>), from <c>warmUp</c> after the API first shows that (the controller
/// writing the status and the speakers reading it are not a fault) until the last snapshot that still showed it
/// (a Service deleted between two snapshots is not "unanswered" in between). As in the matrix, a state seen in
/// one round lasts until the next. A stretch belongs to the phase it started in.
/// </summary>
/// <remarks>
/// The end of a stretch to answer is pulled in by <see cref="EndMargin"/>: a snapshot's time is taken before
/// its reads, and a round's before its requests go out. A stretch also ends when the address changes holder:
/// the 20-minute runs counted one 100 ms round as unanswered where a Service waiting for an address took it
/// the moment its holder was deleted (seed 42: 192.0.2.243 and 2001:db8:3a::5:3, stamped with the deletions).
/// </remarks>
internal static class SoakJudge
{
    public static readonly TimeSpan EndMargin = TimeSpan.FromMilliseconds(500);

    public static ImmutableArray<PhaseVerdict> Judge(IReadOnlyList<WireSample> samples, IReadOnlyList<ClusterSnapshot> snapshots, IReadOnlyList<Phase> phases, TimeSpan warmUp)
    {
        var expected = ExpectedIntervals(snapshots, warmUp);
        var doubles = new List<(WireRun Run, int Rounds)>();
        var unanswered = new List<WireRun>();
        foreach (var address in samples.GroupBy(s => s.Address))
        {
            var ordered = address.OrderBy(s => s.At).ToList();
            var intervals = expected.GetValueOrDefault(address.Key, []);
            doubles.AddRange(WireJudge.Runs(ordered, s => s.Macs.Count >= 2).Select(r => (r.Run, r.Rounds)));
            unanswered.AddRange(WireJudge.Runs(ordered, s => s.Macs.Count == 0 && intervals.Any(i => i.From <= s.At && s.At <= i.To)).Select(r => r.Run));
        }

        return [.. phases.Select(phase =>
        {
            bool In(WireRun run) => (phase.Start <= run.Start && run.Start < phase.End) || (phase.Index == phases[0].Index && run.Start < phase.Start);
            var phaseDoubles = doubles.Where(d => In(d.Run)).ToList();
            return new PhaseVerdict(
                phase,
                phaseDoubles.Sum(d => d.Rounds),
                phaseDoubles.Select(d => d.Run).MaxBy(r => r.Length),
                unanswered.Where(In).MaxBy(r => r.Length));
        })];
    }

    /// <summary>Per address, the stretches it should be answered in: [first seen expected + warm-up, last seen expected − <see cref="EndMargin"/>].</summary>
    public static Dictionary<IPAddress, List<(TimeSpan From, TimeSpan To)>> ExpectedIntervals(IReadOnlyList<ClusterSnapshot> snapshots, TimeSpan warmUp)
    {
        var intervals = new Dictionary<IPAddress, List<(TimeSpan From, TimeSpan To)>>();
        var open = new Dictionary<IPAddress, (TimeSpan First, TimeSpan Last, string Holder)>();
        foreach (var snapshot in snapshots)
        {
            var now = snapshot.Expected();
            // Gone, or handed to another Service: the stretch ends (a new holder starts its own warm-up).
            foreach (var address in open.Keys.Where(a => !now.TryGetValue(a, out var holder) || holder != open[a].Holder).ToList())
            {
                Close(address, open[address]);
                open.Remove(address);
            }

            foreach (var (address, holder) in now)
            {
                open[address] = open.TryGetValue(address, out var run) ? (run.First, snapshot.At, holder) : (snapshot.At, snapshot.At, holder);
            }
        }

        foreach (var (address, run) in open)
        {
            Close(address, run);
        }

        return intervals;

        void Close(IPAddress address, (TimeSpan First, TimeSpan Last, string Holder) run)
        {
            if (run.Last - EndMargin >= run.First + warmUp)
            {
                (intervals.TryGetValue(address, out var list) ? list : intervals[address] = []).Add((run.First + warmUp, run.Last - EndMargin));
            }
        }
    }
}
