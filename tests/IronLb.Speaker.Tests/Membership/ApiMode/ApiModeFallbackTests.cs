using CsCheck;
using IronLb.Speaker.Membership.ApiMode;
using Microsoft.Extensions.Time.Testing;
using static IronLb.Speaker.Tests.Membership.ApiMode.ApiModeEvidence;

namespace IronLb.Speaker.Tests.Membership.ApiMode;

/// <summary>
/// The ring's API mode (docs/membership.md, "API mode"), on a fake clock with a renewal period of 10 s: when it
/// switches, whom it elects, when it may answer and for how long, and how it gives way to the ring.
/// </summary>
public sealed class ApiModeFallbackTests
{
    private static readonly string[] Three = ["a", "b", "c"];
    private static readonly ApiModeTiming Timing = new(TimeSpan.FromSeconds(10));

    public static TheoryData<string, string[], string, string> Conditions => new()
    {
        // What the Leases say, as "member=state@seconds ago"; self is a; a's own last write; the verdict.
        { "nothing seen of a", ["b=" + NoMajority + "@1", "c=" + NoMajority + "@1"], NoMajority, nameof(ApiModeCondition.SelfStale) },
        { "a's own Lease last seen changing 16 s ago (watch stuck)", ["a=" + NoMajority + "@16", "b=" + NoMajority + "@1", "c=" + NoMajority + "@1"], NoMajority, nameof(ApiModeCondition.SelfStale) },
        { "everyone fenced for want of a round", ["a=" + NoMajority + "@1", "b=" + NoMajority + "@2", "c=" + NoMajority + "@9"], NoMajority, nameof(ApiModeCondition.Holds) },
        { "one answers through the ring", ["a=" + NoMajority + "@1", "b=" + Answering + "@2", "c=" + NoMajority + "@2"], NoMajority, nameof(ApiModeCondition.RingAnswering) },
        { "a ring answerer whose Lease is stale is not counted", ["a=" + NoMajority + "@1", "b=" + Answering + "@31", "c=" + NoMajority + "@2"], NoMajority, nameof(ApiModeCondition.Holds) },
        { "others already in API mode count as fenced", ["a=" + NoMajority + "@1", "b=" + Api + "@2", "c=" + Api + "@2"], NoMajority, nameof(ApiModeCondition.Holds) },
        { "only a is fresh: no majority", ["a=" + NoMajority + "@1", "b=" + NoMajority + "@30", "c=" + NoMajority + "@45"], NoMajority, nameof(ApiModeCondition.TooFewFenced) },
        { "a's Lease not yet written with its fence", ["a=" + NoMajority + "@1", "b=" + NoMajority + "@1", "c=" + NoMajority + "@1"], "warming up", nameof(ApiModeCondition.SelfNotFenced) },
        { "b fenced by observers is no proof that rounds fail", ["a=" + NoMajority + "@1", "b=fenced: observers@1", "c=not eligible@1"], NoMajority, nameof(ApiModeCondition.TooFewFenced) },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void The_switch_s_condition_is_read_from_fresh_Leases_only(string why, string[] leases, string ownWrite, string expected)
    {
        var time = new FakeTimeProvider();
        time.Advance(TimeSpan.FromMinutes(5));
        var evidence = new ApiModeEvidence(time).Wrote(ownWrite);
        foreach (var lease in leases)
        {
            var (member, rest) = (lease[..lease.IndexOf('=')], lease[(lease.IndexOf('=') + 1)..]);
            var at = rest.LastIndexOf('@');
            evidence.Seen(member, rest[..at], double.Parse(rest[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        var fallback = new ApiModeFallback("a", Timing, time);
        Assert.True(expected == fallback.Assess(evidence.Evidence, Three, time.GetTimestamp()).ToString(), why);
    }

    [Fact]
    public void A_strict_majority_is_needed_half_is_not_enough()
    {
        var (time, evidence, fallback) = Start();
        evidence.Seen("a", NoMajority).Seen("b", NoMajority).Seen("c", NoMajority, 40).Seen("d", NoMajority, 40).Wrote(NoMajority);
        Assert.Equal(ApiModeCondition.TooFewFenced, fallback.Assess(evidence.Evidence, ["a", "b", "c", "d"], time.GetTimestamp()));
    }

    [Fact]
    public void It_switches_after_the_condition_held_for_a_period_and_answers_half_a_period_after_writing_api_mode()
    {
        var (time, evidence, fallback) = Start();
        Step(time, evidence, fallback, TimeSpan.Zero, NoMajority);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(9.9), NoMajority);
        Assert.False(fallback.Active);

        Step(time, evidence, fallback, TimeSpan.FromSeconds(0.2), NoMajority);
        Assert.True(fallback.Active);
        Assert.Equal(["a"], fallback.ElectionSet);
        Assert.False(fallback.MayAnswer);

        // The others switch too and their Leases say so; a's own "api mode" is written: half a period later it answers.
        Step(time, evidence, fallback, TimeSpan.FromSeconds(1), Api);
        Assert.Equal(["a", "b", "c"], fallback.ElectionSet);
        Assert.False(fallback.MayAnswer);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(4.9), Api, renew: false);
        Assert.False(fallback.MayAnswer);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(0.2), Api, renew: false);
        Assert.True(fallback.MayAnswer);
    }

    [Fact]
    public void A_condition_that_lapses_starts_the_wait_again()
    {
        var (time, evidence, fallback) = Start();
        Step(time, evidence, fallback, TimeSpan.Zero, NoMajority);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(8), NoMajority);
        evidence.Seen("b", Answering);
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
        Assert.Equal(ApiModeCondition.RingAnswering, fallback.Condition);
        Step(time, evidence, fallback, TimeSpan.Zero, NoMajority);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(9.9), NoMajority);
        Assert.False(fallback.Active);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(0.2), NoMajority);
        Assert.True(fallback.Active);
    }

    [Fact]
    public void Without_renewals_it_stops_answering_before_any_other_node_could_call_its_Lease_stale()
    {
        var (time, evidence, fallback) = InApiMode();
        Assert.True(fallback.MayAnswer);

        // The API stops taking this node's writes (and its watch goes quiet): it may answer 1.5 periods after it last saw
        // its own Lease change, and never past 2 periods after its last renewal started.
        var lastSeen = time.GetTimestamp();
        Step(time, evidence, fallback, TimeSpan.FromSeconds(14.9), Api, renew: false, others: false);
        Assert.True(fallback.MayAnswer);
        Assert.Equal(lastSeen + (long)(15 * time.TimestampFrequency), fallback.AnswerDeadline);
        Step(time, evidence, fallback, TimeSpan.FromSeconds(0.2), Api, renew: false, others: false);
        Assert.False(fallback.MayAnswer);
    }

    [Fact]
    public void A_member_whose_Lease_goes_stale_leaves_the_election_after_three_periods()
    {
        var (time, evidence, fallback) = InApiMode();
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(9.9));
            evidence.Seen("a", Api).Seen("b", Api).Wrote(Api, 60, 0);
            fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
            Assert.Contains("c", fallback.ElectionSet);
        }

        time.Advance(TimeSpan.FromSeconds(0.5));
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
        Assert.Equal(["a", "b"], fallback.ElectionSet);
        Assert.True(fallback.MayAnswer);
    }

    [Fact]
    public void A_round_again_leaves_api_mode_at_once_and_holds_ring_answers_for_the_return_hold()
    {
        var (time, evidence, fallback) = InApiMode();
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: true, eligible: true);
        Assert.False(fallback.Active);
        Assert.False(fallback.MayAnswer);
        Assert.True(fallback.HoldsRingAnswers(time.GetTimestamp()));
        time.Advance(Timing.ReturnHold);
        Assert.False(fallback.HoldsRingAnswers(time.GetTimestamp()));
    }

    [Fact]
    public void A_node_that_stayed_with_the_ring_holds_its_answers_when_others_are_in_api_mode()
    {
        var (time, evidence, fallback) = Start();
        evidence.Seen("a", NoMajority).Seen("b", Api).Seen("c", Api).Wrote(NoMajority);
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: true, eligible: true);
        Assert.False(fallback.Active);
        Assert.True(fallback.HoldsRingAnswers(time.GetTimestamp()));
    }

    [Fact]
    public void A_ring_coming_back_with_nobody_in_api_mode_is_not_held()
    {
        var (time, evidence, fallback) = Start();
        evidence.Seen("a", NoMajority).Seen("b", NoMajority).Seen("c", NoMajority).Wrote(NoMajority);
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: true, eligible: true);
        Assert.False(fallback.HoldsRingAnswers(time.GetTimestamp()));
    }

    [Theory]
    [InlineData("a ring answerer appears")]
    [InlineData("this node's watch goes stale")]
    [InlineData("this node becomes ineligible")]
    public void It_leaves_api_mode_when_its_evidence_no_longer_holds(string why)
    {
        var (time, evidence, fallback) = InApiMode();
        var eligible = true;
        switch (why)
        {
            case "a ring answerer appears":
                evidence.Seen("b", Answering);
                break;
            case "this node's watch goes stale":
                time.Advance(TimeSpan.FromSeconds(16));
                break;
            default:
                eligible = false;
                break;
        }

        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible);
        Assert.False(fallback.Active, why);
        Assert.False(fallback.MayAnswer, why);
    }

    [Fact]
    public void An_ineligible_node_never_switches()
    {
        var (time, evidence, fallback) = Start();
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            evidence.AllRenew("a", NoMajority, "b", "c");
            fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: false);
        }

        Assert.False(fallback.Active);
    }

    /// <summary>
    /// The safety argument of API mode, as a property: however late an observer sees a member's last renewal (never
    /// before the write started), and however the member's writes were timed, the member stops answering before the
    /// observer drops it from its election. So an address never has two API-mode answerers through a stale Lease.
    /// </summary>
    [Fact]
    public void A_member_stops_answering_before_any_observer_drops_it()
    {
        Gen.Select(Gen.Double[0, 5], Gen.Double[0, 10]).Sample((observerSeesAfter, memberSeesAfter) =>
        {
            var (time, memberEvidence, member) = InApiMode();
            var (_, observerEvidence, observer) = InApiMode(time);

            // The member's last successful renewal starts now; its own watch and the observer's see it some time later
            // (never before it started). Then the API takes no more of its writes.
            var start = time.GetTimestamp();
            var seconds = time.TimestampFrequency;
            memberEvidence.Wrote(Api, confirmedSecondsAgo: 60, lastStartedSecondsAgo: 0);
            var memberSaw = start + (long)(memberSeesAfter * seconds);
            var observerSaw = start + (long)(observerSeesAfter * seconds);
            time.Advance(TimeSpan.FromSeconds(Math.Max(observerSeesAfter, memberSeesAfter)));
            while (true)
            {
                // Everyone else keeps renewing; a's Lease stays as it was when each of them saw it last.
                memberEvidence.Seen("b", Api).Seen("c", Api);
                observerEvidence.Seen("b", Api).Seen("c", Api).Wrote(Api, confirmedSecondsAgo: 60, lastStartedSecondsAgo: 0);
                var seenByMember = memberEvidence.Evidence with { Sightings = memberEvidence.Evidence.Sightings.SetItem("a", new LeaseSighting(Api, memberSaw)) };
                var seenByObserver = observerEvidence.Evidence with { Sightings = observerEvidence.Evidence.Sightings.SetItem("a", new LeaseSighting(Api, observerSaw)) };
                member.Update(time.GetTimestamp(), seenByMember, Three, ringHoldsRound: false, eligible: true);
                observer.Update(time.GetTimestamp(), seenByObserver, Three, ringHoldsRound: false, eligible: true);
                if (!member.MayAnswer)
                {
                    return observer.ElectionSet.Contains("a");
                }

                if (!observer.ElectionSet.Contains("a"))
                {
                    return false;
                }

                time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }, iter: 100);
    }

    private static (FakeTimeProvider Time, ApiModeEvidence Evidence, ApiModeFallback Fallback) Start(string self = "a", FakeTimeProvider? time = null)
    {
        if (time is null)
        {
            time = new FakeTimeProvider();
            time.Advance(TimeSpan.FromMinutes(5));
        }

        return (time, new ApiModeEvidence(time), new ApiModeFallback(self, Timing, time));
    }

    /// <summary>Three members in API mode for a while, each renewing; the fallback answers.</summary>
    private static (FakeTimeProvider Time, ApiModeEvidence Evidence, ApiModeFallback Fallback) InApiMode(FakeTimeProvider? shared = null)
    {
        var (time, evidence, fallback) = Start(shared is null ? "a" : "b", shared);
        var self = fallback.Self;
        var others = Three.Where(m => m != self).ToArray();
        for (var i = 0; i < 12; i++)
        {
            evidence.AllRenew(self, i < 3 ? NoMajority : Api, others);
            fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
            if (i < 11)
            {
                time.Advance(TimeSpan.FromSeconds(5));
            }
        }

        Assert.True(fallback.Active);
        Assert.True(fallback.MayAnswer);
        return (time, evidence, fallback);
    }

    /// <summary>Time passes; then (optionally) every Lease renews with the state and the fallback steps.</summary>
    private static void Step(FakeTimeProvider time, ApiModeEvidence evidence, ApiModeFallback fallback, TimeSpan after, string state, bool renew = true, bool others = true)
    {
        time.Advance(after);
        if (renew)
        {
            evidence.AllRenew(fallback.Self, state, others ? ["b", "c"] : []);
        }

        fallback.Update(time.GetTimestamp(), evidence.Evidence, Three, ringHoldsRound: false, eligible: true);
    }
}
