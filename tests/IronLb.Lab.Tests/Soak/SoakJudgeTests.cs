using System.Collections.Immutable;
using System.Net;
using IronLb.Chaos.Soak;

namespace IronLb.Lab.Tests.Soak;

/// <summary>The soak's arithmetic on synthetic timelines: what counts as unanswered, double, lost; and the schedule's replay.</summary>
public sealed class SoakJudgeTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.240");

    [Theory]
    // pool entries, address, covered
    [InlineData("192.0.2.240/29", "192.0.2.247", true)]
    [InlineData("192.0.2.240/30", "192.0.2.244", false)]
    [InlineData("192.0.2.175-192.0.2.180", "192.0.2.178", true)]
    [InlineData("192.0.2.175-192.0.2.180", "192.0.2.181", false)]
    [InlineData("2001:db8:3a::/64", "2001:db8:3a::5:1", true)]
    [InlineData("2001:db8:3a::/64", "192.0.2.1", false)]
    [InlineData("not-a-cidr", "192.0.2.1", false)]
    public void A_pool_covers_its_CIDRs_and_ranges_and_nothing_for_a_broken_entry(string entry, string address, bool covered) =>
        Assert.Equal(covered, new PoolView("p", [entry]).Contains(IPAddress.Parse(address)));

    [Fact]
    public void An_address_is_expected_from_the_warm_up_after_the_API_first_shows_it_to_a_margin_before_the_last_snapshot_showing_it()
    {
        // Held 0–10 s, gone at 11 s, back at 12–14 s (shorter than the warm-up: never judged).
        var snapshots = Enumerable.Range(0, 15).Select(s => Snapshot(s, s <= 10 || s >= 12)).ToList();
        var intervals = SoakJudge.ExpectedIntervals(snapshots, TimeSpan.FromSeconds(5));
        Assert.Equal([(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10) - SoakJudge.EndMargin)], intervals[A]);
    }

    [Fact]
    public void An_address_handed_to_another_Service_starts_a_new_warm_up()
    {
        // Held by u1 for 0–10 s, by u2 (which asked for it) from 11 s: two stretches, the second after its own warm-up.
        var snapshots = Enumerable.Range(0, 20).Select(s => Snapshot(s, true) with
        {
            Services = Services(new ServiceView(s <= 10 ? "soak/s" : "soak/t", s <= 10 ? "u1" : "u2", null, [A.ToString()])),
            ServicesWithReadyEndpoints = ["soak/s", "soak/t"],
        }).ToList();
        var intervals = SoakJudge.ExpectedIntervals(snapshots, TimeSpan.FromSeconds(5));
        Assert.Equal([(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10) - SoakJudge.EndMargin), (TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(19) - SoakJudge.EndMargin)], intervals[A]);
    }

    [Fact]
    public void Unanswered_counts_only_while_expected_and_two_answerers_count_always_each_in_the_phase_it_began()
    {
        var snapshots = Enumerable.Range(0, 21).Select(s => Snapshot(s, s <= 20)).ToList();
        // Every 100 ms for 20 s: nobody at 2.0–2.9 s (warm-up: not counted), nobody at 8.0–8.4 s (counted: 500 ms),
        // two answerers at 15.0–15.1 s (200 ms).
        var samples = Enumerable.Range(0, 200).Select(i =>
        {
            var at = i / 10.0;
            string[] macs = (at is >= 2 and < 3) || (at is >= 8 and < 8.45) ? [] : (at is >= 15 and < 15.15) ? ["m1", "m2"] : ["m1"];
            return new IronLb.Chaos.WireSample(TimeSpan.FromSeconds(at), A, [.. macs]);
        }).ToList();
        Phase[] phases =
        [
            new(0, FaultKind.None, "-", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(7)),
            new(1, FaultKind.Kill9, "cwn1", TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(14)),
            new(2, FaultKind.Stop, "cwn2", TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(20)),
        ];

        var verdicts = SoakJudge.Judge(samples, snapshots, phases, TimeSpan.FromSeconds(5));

        Assert.Null(verdicts[0].LongestUnanswered);
        Assert.Equal(TimeSpan.FromMilliseconds(500), Rounded(verdicts[1].UnansweredTime));
        Assert.Equal((0, TimeSpan.Zero), (verdicts[1].DoubleRounds, verdicts[1].DoubleTime));
        Assert.Equal((2, TimeSpan.FromMilliseconds(200)), (verdicts[2].DoubleRounds, Rounded(verdicts[2].DoubleTime)));
    }

    [Theory]
    // Service before → after, pool after, lost?
    [InlineData("u1", "192.0.2.241", "u1", "", "192.0.2.240/29", true)]
    [InlineData("u1", "192.0.2.245", "u1", "", "192.0.2.240/30", false)]
    [InlineData("u1", "192.0.2.241", "u2", "", "192.0.2.240/29", false)]
    [InlineData("u1", "192.0.2.241", "u1", "192.0.2.241", "192.0.2.240/29", false)]
    [InlineData("u1", "192.0.2.241", "u1", "", "", false)]
    public void A_Service_loses_an_address_only_when_its_pool_still_holds_it(string uidBefore, string before, string uidAfter, string after, string pool, bool lost)
    {
        ImmutableArray<PoolView> pools = pool.Length > 0 ? [new PoolView("soak-pool", [pool])] : [];
        var was = Snapshot(0, true) with { Services = Services(new ServiceView("soak/s", uidBefore, null, [before])), Pools = pools };
        var now = was with { At = TimeSpan.FromSeconds(1), Services = Services(new ServiceView("soak/s", uidAfter, null, after.Length > 0 ? [after] : [])) };
        Assert.Equal(lost, now.LostSince(was).Any());
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule_and_every_round_holds_every_kind_once()
    {
        string[] nodes = ["cwn1", "cwn2", "cwn3"];
        var first = SoakSchedule.Faults(5, nodes).Take(24).ToList();
        Assert.Equal(first, SoakSchedule.Faults(5, nodes).Take(24).ToList());
        Assert.NotEqual(first, SoakSchedule.Faults(6, nodes).Take(24).ToList());
        var kinds = Enum.GetValues<FaultKind>().Length;
        Assert.Equal(Enum.GetValues<FaultKind>().Order(), first.Take(kinds).Select(s => s.Kind).Order());
        Assert.Equal(SoakSchedule.Churn(5).Take(50), SoakSchedule.Churn(5).Take(50));
    }

    private static ClusterSnapshot Snapshot(double seconds, bool held) => new(
        TimeSpan.FromSeconds(seconds),
        held ? Services(new ServiceView("soak/s", "u1", null, [A.ToString()])) : ImmutableDictionary<string, ServiceView>.Empty,
        [new PoolView("soak-pool", ["192.0.2.240/29"])],
        [new AdvertisementView("soak-adv", ["soak-pool"], HasPoolSelectors: false)],
        ["soak/s"]);

    private static ImmutableDictionary<string, ServiceView> Services(params ServiceView[] services) => services.ToImmutableDictionary(s => s.Key);

    private static TimeSpan Rounded(TimeSpan t) => TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds));
}
