using System.Collections.Immutable;
using IronLb.Speaker.Cluster;

namespace IronLb.Speaker.Membership.ApiMode;

/// <summary>
/// The ring's fallback when heartbeats fail across the cluster while the API works (issue 14: "the API must serve as
/// the liveness signal"). Every speaker already renews a Lease saying what it is doing, one write per node per period.
/// When a strict majority of fresh Leases say "fenced: no majority round" and none says "answering" for a whole
/// period, nobody answers through the ring, so this node switches to API mode: it elects over the members whose
/// Leases are fresh and say "api mode", answers its share once its own "api mode" has been readable for a while, and
/// only while its own renewals succeed. It leaves API mode at once when the ring holds a round again (then waits
/// <see cref="ApiModeTiming.ReturnHold"/> before ring answers), when a Lease shows a ring answerer, or when its evidence
/// goes stale. Why each duration is safe: <see cref="ApiModeTiming"/>. Pure: the caller passes the monotonic time.
/// </summary>
internal sealed class ApiModeFallback(string self, ApiModeTiming timing, TimeProvider time)
{
    private long? _conditionSince;
    private long? _ringHeldUntil;
    private bool _sawApiMode;
    private bool _ringHadRound;
    private long _now;

    public string Self { get; } = self;

    public ApiModeTiming Timing { get; } = timing;

    /// <summary>In API mode: the Leases decide who is alive.</summary>
    public bool Active { get; private set; }

    /// <summary>In API mode, the election's speaker set: this node and every member whose fresh Lease says "api mode".</summary>
    public ImmutableSortedSet<string> ElectionSet { get; private set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>In API mode, whether this node may answer for its share now; see <see cref="AnswerDeadline"/> for how long.</summary>
    public bool MayAnswer => AnswerDeadline is { } deadline && _now < deadline;

    /// <summary>In API mode, the monotonic time until which this node may answer without news; null when it may not.</summary>
    public long? AnswerDeadline { get; private set; }

    /// <summary>What the last update found about the switch (for logs and the Lease).</summary>
    public ApiModeCondition Condition { get; private set; } = ApiModeCondition.SelfStale;

    /// <summary>Changes whenever <see cref="Active"/>, <see cref="ElectionSet"/> or the permission to answer changes.</summary>
    public long Version { get; private set; }

    /// <summary>Whether ring answers must still wait after coming back (see <see cref="ApiModeTiming.ReturnHold"/>).</summary>
    public bool HoldsRingAnswers(long now) => _ringHeldUntil is { } until && now < until;

    /// <summary>Takes one step: called on every membership tick with what the API and the ring know now.</summary>
    /// <param name="now">The monotonic time.</param>
    /// <param name="evidence">The Leases as this node has seen them, and its own last write.</param>
    /// <param name="members">The ring's member table, this node included.</param>
    /// <param name="ringHoldsRound">Whether the ring holds a round lease (a majority round lately).</param>
    /// <param name="eligible">Whether this node may be elected at all.</param>
    public void Update(long now, LeaseEvidence evidence, IReadOnlyCollection<string> members, bool ringHoldsRound, bool eligible)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(members);
        _now = now;
        var wasAnswering = MayAnswer;
        Condition = Assess(evidence, members, now);
        _sawApiMode = AnyFresh(evidence, members, now, SpeakerLease.ApiMode);

        // The ring coming back: a node that was in API mode, or saw others in it, waits before answering through the
        // ring, so that every API-mode answerer has seen the same rounds and stopped first.
        if (ringHoldsRound && !_ringHadRound && _sawApiMode)
        {
            _ringHeldUntil = now + Ticks(Timing.ReturnHold);
        }

        _ringHadRound = ringHoldsRound;
        if (Active)
        {
            if (ringHoldsRound || !eligible || Condition != ApiModeCondition.Holds)
            {
                Leave();
                _ringHeldUntil = now + Ticks(Timing.ReturnHold);
            }
            else
            {
                Elect(evidence, members, now);
            }
        }
        else if (Condition == ApiModeCondition.Holds && eligible && !ringHoldsRound)
        {
            _conditionSince ??= now;
            if (Elapsed(_conditionSince.Value, now) >= Timing.EntryWait)
            {
                Active = true;
                Version++;
                Elect(evidence, members, now);
            }
        }
        else
        {
            _conditionSince = null;
        }

        if (MayAnswer != wasAnswering)
        {
            Version++;
        }
    }

    /// <summary>
    /// The switch's condition, from the Leases alone. Once in API mode this node's own state says "api mode", which
    /// counts as fenced (it answers nothing through the ring).
    /// </summary>
    public ApiModeCondition Assess(LeaseEvidence evidence, IReadOnlyCollection<string> members, long now)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(members);
        if (!evidence.Sightings.TryGetValue(Self, out var own) || Elapsed(own.ChangedAt, now) >= Timing.SelfFresh)
        {
            return ApiModeCondition.SelfStale;
        }

        var fenced = 0;
        foreach (var member in members)
        {
            if (!IsFresh(evidence, member, now, out var state))
            {
                continue;
            }

            if (string.Equals(state, SpeakerLease.Answering, StringComparison.Ordinal))
            {
                return ApiModeCondition.RingAnswering;
            }

            if (IsFenced(state))
            {
                fenced++;
            }
        }

        if (evidence.OwnWrite is not { } write || !IsFenced(write.State))
        {
            return ApiModeCondition.SelfNotFenced;
        }

        return fenced > members.Count / 2 ? ApiModeCondition.Holds : ApiModeCondition.TooFewFenced;
    }

    private static bool IsFenced(string state) =>
        string.Equals(state, SpeakerLease.NoMajority, StringComparison.Ordinal) || string.Equals(state, SpeakerLease.ApiMode, StringComparison.Ordinal);

    private void Elect(LeaseEvidence evidence, IReadOnlyCollection<string> members, long now)
    {
        var set = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        set.Add(Self);
        foreach (var member in members)
        {
            if (IsFresh(evidence, member, now, out var state) && string.Equals(state, SpeakerLease.ApiMode, StringComparison.Ordinal))
            {
                set.Add(member);
            }
        }

        if (!set.SetEquals(ElectionSet))
        {
            ElectionSet = set.ToImmutable();
            Version++;
        }

        AnswerDeadline = Deadline(evidence, now);
    }

    /// <summary>
    /// Until when this node may answer in API mode: its "api mode" written at least <see cref="ApiModeTiming.JoinHold"/>
    /// ago, and then no longer than <see cref="ApiModeTiming.SelfFence"/> after its latest successful renewal started and
    /// <see cref="ApiModeTiming.SelfFresh"/> after it last saw its own Lease change.
    /// </summary>
    private long? Deadline(LeaseEvidence evidence, long now)
    {
        if (evidence.OwnWrite is not { } write || !string.Equals(write.State, SpeakerLease.ApiMode, StringComparison.Ordinal)
            || Elapsed(write.StateConfirmedAt, now) < Timing.JoinHold || !evidence.Sightings.TryGetValue(Self, out var own))
        {
            return null;
        }

        var fenced = write.LastSuccessStartedAt + Ticks(Timing.SelfFence);
        var seen = own.ChangedAt + Ticks(Timing.SelfFresh);
        return Math.Min(fenced, seen) is var deadline && deadline > now ? deadline : null;
    }

    private void Leave()
    {
        Active = false;
        _conditionSince = null;
        AnswerDeadline = null;
        ElectionSet = ElectionSet.Clear();
        Version++;
    }

    private bool AnyFresh(LeaseEvidence evidence, IReadOnlyCollection<string> members, long now, string state) =>
        members.Any(m => !string.Equals(m, Self, StringComparison.Ordinal) && IsFresh(evidence, m, now, out var s) && string.Equals(s, state, StringComparison.Ordinal));

    private bool IsFresh(LeaseEvidence evidence, string member, long now, out string state)
    {
        state = "";
        if (!evidence.Sightings.TryGetValue(member, out var sighting))
        {
            return false;
        }

        state = sighting.State;
        var window = string.Equals(member, Self, StringComparison.Ordinal) ? Timing.SelfFresh : Timing.Fresh;
        return Elapsed(sighting.ChangedAt, now) < window;
    }

    private TimeSpan Elapsed(long from, long now) => now <= from ? TimeSpan.Zero : time.GetElapsedTime(from, now);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
