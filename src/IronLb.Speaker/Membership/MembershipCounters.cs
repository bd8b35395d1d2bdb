using System.Diagnostics.Metrics;

namespace IronLb.Speaker.Membership;

/// <summary>
/// How many membership datagrams were accepted and, per reason, refused. Incremented on the receive path
/// with one interlocked add and no allocation; SpeakerMetrics exports them as
/// <c>ironlb_membership_accepted_total</c> and <c>ironlb_membership_refused_total{reason}</c>.
/// </summary>
internal sealed class MembershipCounters
{
    private static readonly ReceiveOutcome[] Reasons = [.. Enum.GetValues<ReceiveOutcome>().Where(o => o != ReceiveOutcome.Accepted)];

    // Label strings made once, so an observation allocates only its measurements.
    private static readonly KeyValuePair<string, object?>[] Labels =
        [.. Enum.GetValues<ReceiveOutcome>().Select(o => new KeyValuePair<string, object?>("reason", o.ToString()))];

    private readonly long[] _counts = new long[Labels.Length];

    public void Count(ReceiveOutcome outcome)
    {
        var index = (int)outcome;
        if ((uint)index < (uint)_counts.Length)
        {
            Interlocked.Increment(ref _counts[index]);
        }
    }

    public long this[ReceiveOutcome outcome] => Interlocked.Read(ref _counts[(int)outcome]);

    public long Accepted => this[ReceiveOutcome.Accepted];

    /// <summary>Every refusal reason, zero ones included, so a rate over a fresh series works from the first scrape.</summary>
    public IEnumerable<Measurement<long>> Refused() =>
        Reasons.Select(r => new Measurement<long>(this[r], Labels[(int)r]));
}
