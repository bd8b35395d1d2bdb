using System.Globalization;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>
/// What a row of the fault matrix promises on the client's wire, as docs/membership.md ("Fault matrix") writes
/// it: every address answered by a single node again within <see cref="ToSingle"/> of the fault, nobody
/// answering for at most <see cref="Unanswered"/>, and two nodes answering at once never (<see cref="Double"/>
/// zero: not in a single probe round) or for at most that long. <see cref="NothingMoves"/> rows promise more:
/// every address keeps its answerer in every round.
/// </summary>
internal sealed record Promise(TimeSpan ToSingle, TimeSpan Unanswered, TimeSpan Double, bool NothingMoves = false)
{
    /// <summary>Nothing moves: the answerer before the fault answers every round, alone.</summary>
    public static Promise Steady { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, NothingMoves: true);

    public static Promise Moves(double toSingleSeconds, double unansweredSeconds) =>
        new(TimeSpan.FromSeconds(toSingleSeconds), TimeSpan.FromSeconds(unansweredSeconds), TimeSpan.Zero);

    /// <summary>Every broken promise in <paramref name="verdict"/>; empty when it holds.</summary>
    public IReadOnlyList<string> BrokenBy(WireVerdict verdict, IReadOnlyDictionary<System.Net.IPAddress, string> before)
    {
        var broken = new List<string>();
        if (Double == TimeSpan.Zero ? verdict.DoubleSamples > 0 : verdict.LongestDouble > Double)
        {
            broken.Add($"two answerers in {verdict.DoubleSamples} rounds, longest {Ms(verdict.LongestDouble)} (promised {(Double == TimeSpan.Zero ? "never" : "at most " + Ms(Double))})");
        }

        if (NothingMoves)
        {
            foreach (var address in verdict.Addresses.Where(a => a.Changes is not [var only] || only.Answerers != before[a.Address]))
            {
                broken.Add($"{address.Address} changed answerer {address.Changes.Length - 1} times (promised: nothing moves)");
            }

            return broken;
        }

        if (ToSingle != TimeSpan.MaxValue && (verdict.ToSingle is not { } settled || settled > ToSingle))
        {
            broken.Add($"a single answerer {(verdict.ToSingle is { } t ? Ms(t) : "never")} after the fault (promised within {Ms(ToSingle)})");
        }

        if (verdict.LongestUnanswered > Unanswered)
        {
            broken.Add($"unanswered for {Ms(verdict.LongestUnanswered)} (promised at most {Ms(Unanswered)})");
        }

        return broken;
    }

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms");
}
