using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// Eligibility (issue 14, finding 7): a speaker that has never had a valid configuration heartbeats and counts
/// for quorum, but every node, itself included, leaves it out of the election, so the others cover its share.
/// </summary>
public sealed class MembershipEligibilityTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    [Fact]
    public void An_ineligible_speaker_is_left_out_by_every_node_and_joins_once_eligible()
    {
        var sim = new SimCluster(3, seed: 14);
        sim.StartAll();
        var ineligible = sim.Names[0];
        sim.Core(ineligible).Eligible = false;
        sim.Run(Settle);

        var others = sim.Names.Where(n => n != ineligible).ToList();
        foreach (var node in sim.Names)
        {
            var view = sim.Core(node).View;
            Assert.Equal(others, view.Live.ToList());
            Assert.Equal(ExclusionReason.NotEligible, view.Excluded[ineligible]);
            Assert.Equal(MembershipMode.Quorum, view.Mode);
        }

        sim.Core(ineligible).Eligible = true;
        sim.Run(TimeSpan.FromMilliseconds(500));
        Assert.All(sim.Names, node => Assert.Equal(sim.Names, sim.View(node).ToList()));
    }

    [Fact]
    public void An_ineligible_speaker_still_counts_for_quorum_so_a_crash_is_decided_by_heartbeats()
    {
        var sim = new SimCluster(3, seed: 7);
        sim.StartAll();
        var ineligible = sim.Names[0];
        sim.Core(ineligible).Eligible = false;
        sim.Run(Settle);

        // Two of three still hear each other: a quorum, so the crashed node goes within the detection time
        // instead of being kept by readiness until Kubernetes notices.
        var victim = sim.Names[1];
        var survivor = sim.Names[2];
        sim.Crash(victim);
        sim.Run(sim.Options.DetectionTime + sim.Options.Interval);

        var view = sim.Core(survivor).View;
        Assert.Equal(MembershipMode.Quorum, view.Mode);
        Assert.Equal([survivor], view.Live.ToList());
        Assert.Equal(ExclusionReason.NotHeardByMajority, view.Excluded[victim]);
        Assert.Equal(ExclusionReason.NotEligible, view.Excluded[ineligible]);
    }

    [Fact]
    public void Without_quorum_a_peer_kept_by_readiness_keeps_the_eligibility_it_last_sent()
    {
        var sim = new SimCluster(3, seed: 21);
        sim.StartAll();
        var ineligible = sim.Names[0];
        sim.Core(ineligible).Eligible = false;
        sim.Run(Settle);

        // The two eligible nodes crash: the ineligible one is alone, falls back to readiness, and still elects
        // nobody but the Ready peers, the same set the others used before.
        sim.Crash(sim.Names[1]);
        sim.Crash(sim.Names[2]);
        sim.Run(Settle);
        var view = sim.Core(ineligible).View;
        Assert.Equal(MembershipMode.ReadinessFallback, view.Mode);
        Assert.Equal(sim.Names.Skip(1), view.Live.ToList());
        Assert.Equal(ExclusionReason.NotEligible, view.Excluded[ineligible]);
    }
}
