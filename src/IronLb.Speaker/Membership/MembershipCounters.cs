using System.Diagnostics.Metrics;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Membership;

/// <summary>
/// How many membership datagrams were accepted and, per reason, refused. Incremented on the receive path
/// with one interlocked add and no allocation; SpeakerMetrics exports them as
/// <c>ironlb_membership_accepted_total</c> and <c>ironlb_membership_refused_total{reason}</c>. With the ring, also
/// its stalls and the new incarnations it moved to, by cause (<c>ironlb_membership_stalls_total</c>,
/// <c>ironlb_membership_new_incarnations_total{cause}</c>): a starved speaker pauses its answers, and these say so.
/// </summary>
internal sealed class MembershipCounters
{
    private static readonly ReceiveOutcome[] Reasons = [.. Enum.GetValues<ReceiveOutcome>().Where(o => o != ReceiveOutcome.Accepted)];

    // Label strings made once, so an observation allocates only its measurements.
    private static readonly KeyValuePair<string, object?>[] Labels =
        [.. Enum.GetValues<ReceiveOutcome>().Select(o => new KeyValuePair<string, object?>("reason", o.ToString()))];

    // Only the causes that end a running incarnation: Started is the process itself.
    private static readonly RingIncarnationCause[] Causes = [RingIncarnationCause.FenceLapsed, RingIncarnationCause.EndedByOthers];

    private static readonly KeyValuePair<string, object?>[] CauseLabels =
        [.. Enum.GetValues<RingIncarnationCause>().Select(c => new KeyValuePair<string, object?>("cause", c.ToString()))];

    private readonly long[] _counts = new long[Labels.Length];
    private readonly long[] _incarnations = new long[CauseLabels.Length];
    private long _stalls;

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

    /// <summary>The ring moved to a new incarnation for <paramref name="cause"/>.</summary>
    public void CountNewIncarnation(RingIncarnationCause cause)
    {
        var index = (int)cause;
        if ((uint)index < (uint)_incarnations.Length)
        {
            Interlocked.Increment(ref _incarnations[index]);
        }
    }

    /// <summary>The ring's own count of its stalls (ticks further apart than its fence window), copied every tick.</summary>
    public long Stalls
    {
        get => Interlocked.Read(ref _stalls);
        set => Interlocked.Exchange(ref _stalls, value);
    }

    /// <summary>Each cause that ends a running incarnation, zero ones included.</summary>
    public IEnumerable<Measurement<long>> NewIncarnations() =>
        Causes.Select(c => new Measurement<long>(Interlocked.Read(ref _incarnations[(int)c]), CauseLabels[(int)c]));
}
