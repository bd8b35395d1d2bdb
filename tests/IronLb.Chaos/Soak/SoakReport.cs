using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace IronLb.Chaos.Soak;

/// <summary>A progress line of a run, on the soak's clock.</summary>
internal sealed record SoakLogLine(TimeSpan At, string Text)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{At.TotalSeconds,7:0.0} s] {Text}");
}

/// <summary>One fault kind over a run: how often injected, and the worst and typical numbers on the wire.</summary>
internal sealed record KindSummary(FaultKind Kind, int Injected, int DoubleRounds, TimeSpan LongestDouble, TimeSpan LongestUnanswered, TimeSpan MedianUnanswered, TimeSpan? Promise)
{
    public bool UnansweredKept => Promise is not { } promise || LongestUnanswered <= promise;
}

/// <summary>
/// What a soak found, and its targets: no round with two answerers anywhere, no address lost, no address on two
/// Services, and each kind's longest unanswered stretch within the promise docs/membership.md ("Fault matrix")
/// writes for its row. A kind without a promise (none today) would be reported and not judged.
/// </summary>
internal sealed record SoakReport(
    int Seed,
    TimeSpan Duration,
    int Nodes,
    string Load,
    int Rounds,
    int Addresses,
    int Snapshots,
    int FailedReads,
    ImmutableArray<PhaseVerdict> Phases,
    ChurnCounts Churn,
    IReadOnlyList<string> Lost,
    IReadOnlyList<string> Conflicts,
    IReadOnlyList<SoakLogLine> Log,
    Func<string, string> NodeOfMac)
{
    /// <summary>The longest stretch nobody may answer an address that should be answered, per kind (null: not judged).</summary>
    public static TimeSpan? PromiseFor(FaultKind kind) => kind switch
    {
        // The owner's share moves within 1 s, unanswered at most 1 s; the node's return costs at most 0.5 s.
        FaultKind.Kill9 or FaultKind.Stop or FaultKind.HeartbeatsCut or FaultKind.HeartbeatsAndApiCut or FaultKind.InvalidConfigRestart => TimeSpan.FromSeconds(1),
        // Every node fences itself, then API mode answers through the Leases within 26 s (84cf7d5).
        FaultKind.HeartbeatsEverywhere => TimeSpan.FromSeconds(26),
        // Nothing moves: API faults, discovery deleted, the leader cut off, the flood, and churn alone.
        _ => TimeSpan.Zero,
    };

    public ImmutableArray<KindSummary> Kinds => [.. Phases.GroupBy(p => p.Phase.Kind).OrderBy(g => g.Key).Select(g => new KindSummary(
        g.Key,
        g.Count(),
        g.Sum(p => p.DoubleRounds),
        g.Max(p => p.DoubleTime),
        g.Max(p => p.UnansweredTime),
        Median(g.Select(p => p.UnansweredTime)),
        PromiseFor(g.Key)))];

    public int DoubleRounds => Phases.Sum(p => p.DoubleRounds);

    public TimeSpan LongestDouble => Phases.Select(p => p.DoubleTime).DefaultIfEmpty().Max();

    /// <summary>Every missed target, one line each; empty when the run kept them all.</summary>
    /// <summary>Every missed target: the invariants, and each fault kind's unanswered time against its row's promise.</summary>
    public IReadOnlyList<string> Missed() =>
        [.. Broken(), .. Kinds.Where(k => !k.UnansweredKept).Select(k => $"{k.Kind}: unanswered for {Ms(k.LongestUnanswered)} (promised at most {Ms(k.Promise!.Value)})")];

    /// <summary>
    /// The invariants issue 14 sets the soak (never two answerers, no address lost, none on two Services): what the CI run
    /// fails on. Unanswered times are measured against the rows' promises too, but under churn they also show gaps the
    /// fault matrix does not (docs/performance.md, "Chaos soak"), so they fail the bench, not CI.
    /// </summary>
    public IReadOnlyList<string> Broken()
    {
        var broken = new List<string>();
        if (DoubleRounds > 0)
        {
            broken.Add($"two answerers in {DoubleRounds} rounds, longest {Ms(LongestDouble)} (target: never)");
        }

        if (Lost.Count > 0)
        {
            broken.Add($"{Lost.Count} addresses lost (target 0)");
        }

        if (Conflicts.Count > 0)
        {
            broken.Add($"{Conflicts.Count} snapshots with an address on two Services (target 0)");
        }

        return broken;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        var faults = Phases.Where(p => p.Phase.Kind != FaultKind.None).ToList();
        Line(text, $"soak: seed {Seed}, {Duration.TotalMinutes:0.#} min, {Nodes} nodes, load average {Load}");
        Line(text, $"wire: {Rounds} probe rounds of {Addresses} addresses (every 100 ms); API: {Snapshots} snapshots, {FailedReads} failed reads");
        Line(text, $"faults injected: {faults.Count} ({string.Join(", ", faults.GroupBy(p => p.Phase.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}), plus {Phases.Length - faults.Count} churn-only steps");
        Line(text, $"churn: {string.Join(", ", Churn.Done.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value}"))}; {Churn.Failed} refused or timed out");
        Line(text, $"longest time with two answerers: {Ms(LongestDouble)} ({DoubleRounds} rounds; target 0)");
        Line(text, $"addresses lost: {Lost.Count} (target 0); addresses on two Services: {Conflicts.Count} snapshots (target 0)");
        Line(text, "");
        Line(text, "| fault kind | injected | two answerers (rounds, longest) | longest unanswered | median of per-fault longest | promise | kept |");
        Line(text, "| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var k in Kinds)
        {
            Line(text, $"| {k.Kind} | {k.Injected} | {k.DoubleRounds}, {Ms(k.LongestDouble)} | {Ms(k.LongestUnanswered)} | {Ms(k.MedianUnanswered)} | {(k.Promise is { } p ? "≤ " + Ms(p) : "not judged")} | {(k.UnansweredKept && k.DoubleRounds == 0 ? "yes" : "NO")} |");
        }

        Line(text, "");
        Line(text, "per fault (start on the soak clock; worst stretches):");
        foreach (var p in Phases)
        {
            Line(text, $"  {p.Phase.Index,3} {p.Phase.Kind,-20} {p.Phase.Node,-5} at {p.Phase.Start.TotalSeconds,7:0.0} s, healed {(p.Phase.Healed is { } h ? $"+{(h - p.Phase.Start).TotalSeconds:0.0} s" : "never")}: "
                + $"double {Describe(p.LongestDouble)}; unanswered {Describe(p.LongestUnanswered)}");
            foreach (var run in new[] { p.LongestDouble, p.LongestUnanswered }.OfType<WireRun>())
            {
                // What the soak did in the 3 s before a stretch began: evidence for a finding.
                foreach (var line in Log.Where(l => l.At <= run.Start && l.At >= run.Start - TimeSpan.FromSeconds(3)))
                {
                    Line(text, $"        before {run.Address} at {run.Start.TotalSeconds:0.0} s: {line}");
                }
            }
        }

        foreach (var lost in Lost.Take(20))
        {
            Line(text, "lost: " + lost);
        }

        foreach (var conflict in Conflicts.Take(20))
        {
            Line(text, "conflict: " + conflict);
        }

        var missed = Missed();
        Line(text, missed.Count == 0 ? "targets: all kept" : "targets MISSED: " + string.Join("; ", missed));
        return text.ToString();
    }

    private string Describe(WireRun? run) => run is null
        ? "none"
        : $"{Ms(run.Length)} ({run.Address} at {run.Start.TotalSeconds:0.0} s{(run.Answerers.Length > 0 ? ", " + Named(run.Answerers) : "")})";

    private string Named(string answerers) =>
        string.Join('+', answerers.Replace("after ", "", StringComparison.Ordinal).Split('+', StringSplitOptions.RemoveEmptyEntries).Select(NodeOfMac))
            .Insert(0, answerers.StartsWith("after ", StringComparison.Ordinal) ? "after " : "");

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? TimeSpan.Zero : sorted[sorted.Count / 2];
    }

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms");

    private static void Line(StringBuilder text, string line) => text.AppendLine(line);
}
