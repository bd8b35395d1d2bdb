using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using IronLb.Testing.Network;

namespace IronLb.Chaos;

/// <summary>A stretch of rounds of one address (nobody answering, or two): from when, how long, who answered then or just before.</summary>
internal sealed record WireRun(IPAddress Address, TimeSpan Start, TimeSpan Length, string Answerers);

/// <summary>What one probe round heard for one address: the MACs that answered (none, one, or a split brain's two).</summary>
internal sealed record WireSample(TimeSpan At, IPAddress Address, ImmutableSortedSet<string> Macs)
{
    public static WireSample Of(double seconds, string address, params string[] macs) =>
        new(TimeSpan.FromSeconds(seconds), IPAddress.Parse(address), [.. macs]);
}

/// <summary>A state of one address on the wire from <see cref="At"/> on: who answered ("" for nobody, "a+b" for two).</summary>
internal readonly record struct WireChange(TimeSpan At, string Answerers);

/// <summary>
/// One address judged: the longest time two nodes answered at once, the longest time nobody did, how long after
/// the fault a single answerer took over for good, and every change of who answered. A state seen in one round
/// lasts until the next round (so a single round with two answers counts a whole period: the judge errs towards
/// the longer interval, since it cannot see between rounds).
/// </summary>
internal sealed record AddressVerdict(
    IPAddress Address,
    int Samples,
    int DoubleSamples,
    TimeSpan LongestDouble,
    TimeSpan LongestUnanswered,
    TimeSpan? ToSingle,
    string? FinalAnswerer,
    ImmutableArray<WireChange> Changes)
{
    public string Describe(TimeSpan fault) =>
        $"{Address}: {Samples} rounds, two answerers in {DoubleSamples} (longest {Ms(LongestDouble)}), longest unanswered {Ms(LongestUnanswered)}, "
        + $"single answerer {(ToSingle is { } t ? Ms(t) + " after the fault" : "never for good")}; "
        + string.Join(", ", Changes.Select(c => $"{Seconds(c.At - fault)} {(c.Answerers.Length == 0 ? "nobody" : c.Answerers)}"));

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms");

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:+0.00;-0.00} s");
}

/// <summary>Every probed address judged; the maxima are what a row's promise bounds.</summary>
internal sealed record WireVerdict(TimeSpan Fault, ImmutableArray<AddressVerdict> Addresses)
{
    public TimeSpan LongestDouble => Addresses.Select(a => a.LongestDouble).DefaultIfEmpty().Max();

    public int DoubleSamples => Addresses.Sum(a => a.DoubleSamples);

    public TimeSpan LongestUnanswered => Addresses.Select(a => a.LongestUnanswered).DefaultIfEmpty().Max();

    /// <summary>The slowest address to settle on one answerer; null when one never did.</summary>
    public TimeSpan? ToSingle => Addresses.Any(a => a.ToSingle is null) ? null : Addresses.Select(a => a.ToSingle!.Value).DefaultIfEmpty().Max();

    public AddressVerdict For(IPAddress address) => Addresses.Single(a => a.Address.Equals(address));

    public override string ToString() => string.Join('\n', Addresses.Select(a => a.Describe(Fault)));
}

/// <summary>The arithmetic of the wire judge, on samples; the prober (<see cref="NeighbourProber"/>) supplies them live.</summary>
internal static class WireJudge
{
    /// <summary>
    /// One sample per round and target: the answers that arrived during that round. The last round is left out
    /// (its answers may still be on their way).
    /// </summary>
    public static ImmutableArray<WireSample> Samples(IReadOnlyList<ProbeRound> rounds, IReadOnlyList<ProbeReply> replies, IReadOnlyList<IPAddress> targets)
    {
        var byRound = replies.ToLookup(r => (r.Round, r.Answer.Address));
        return [.. rounds.Take(Math.Max(0, rounds.Count - 1)).SelectMany(round => targets.Select(target =>
            new WireSample(round.At, target, [.. byRound[(round.Number, target)].Select(r => r.Answer.Mac)])))];
    }

    /// <summary>Judges every address in <paramref name="samples"/>; <paramref name="fault"/> is when the fault was injected.</summary>
    public static WireVerdict Judge(IEnumerable<WireSample> samples, TimeSpan fault) =>
        new(fault, [.. samples.GroupBy(s => s.Address).Select(g => JudgeOne(g.Key, [.. g.OrderBy(s => s.At)], fault))]);

    private static AddressVerdict JudgeOne(IPAddress address, List<WireSample> samples, TimeSpan fault)
    {
        var changes = ImmutableArray.CreateBuilder<WireChange>();
        foreach (var sample in samples)
        {
            var answerers = string.Join('+', sample.Macs);
            if (changes.Count == 0 || changes[^1].Answerers != answerers)
            {
                changes.Add(new WireChange(sample.At, answerers));
            }
        }

        return new AddressVerdict(
            address,
            samples.Count,
            samples.Count(s => s.Macs.Count >= 2),
            LongestRun(samples, s => s.Macs.Count >= 2),
            LongestRun(samples, s => s.Macs.Count == 0),
            ToSingle(samples, fault),
            samples.Count > 0 && samples[^1].Macs.Count == 1 ? samples[^1].Macs[0] : null,
            changes.ToImmutable());
    }

    /// <summary>The longest stretch of consecutive samples meeting <paramref name="condition"/>, each lasting until the next sample.</summary>
    private static TimeSpan LongestRun(List<WireSample> samples, Func<WireSample, bool> condition) =>
        Runs(samples, condition).Select(r => r.Run.Length).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>
    /// Each stretch of consecutive samples (of one address, in time order) meeting <paramref name="condition"/>: from its
    /// first sample until the next sample after it (the last sample, at the end), with the answerers at its start (or
    /// "after" those just before it, when nobody answered) and its number of rounds.
    /// </summary>
    internal static IEnumerable<(WireRun Run, int Rounds)> Runs(List<WireSample> samples, Func<WireSample, bool> condition)
    {
        for (var i = 0; i < samples.Count; i++)
        {
            if (!condition(samples[i]))
            {
                continue;
            }

            var j = i;
            while (j + 1 < samples.Count && condition(samples[j + 1]))
            {
                j++;
            }

            var end = j + 1 < samples.Count ? samples[j + 1].At : samples[j].At;
            var answerers = samples[i].Macs.Count > 0 ? string.Join('+', samples[i].Macs) : i > 0 ? "after " + string.Join('+', samples[i - 1].Macs) : "";
            yield return (new WireRun(samples[i].Address, samples[i].At, end - samples[i].At, answerers), j - i + 1);
            i = j;
        }
    }

    /// <summary>From the fault to the start of the last run of samples answered by one and the same MAC; null if the last sample is not such.</summary>
    private static TimeSpan? ToSingle(List<WireSample> samples, TimeSpan fault)
    {
        var after = samples.Where(s => s.At >= fault).ToList();
        if (after.Count == 0 || after[^1].Macs.Count != 1)
        {
            return null;
        }

        var mac = after[^1].Macs[0];
        var start = after.Count - 1;
        while (start > 0 && after[start - 1].Macs.Count == 1 && after[start - 1].Macs[0] == mac)
        {
            start--;
        }

        return after[start].At - fault;
    }
}
