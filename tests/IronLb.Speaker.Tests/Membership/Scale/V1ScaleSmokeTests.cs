using IronLb.Membership.Simulation;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>Today's protocol through the scale simulator's adapter: what the bench's v1 rows rest on.</summary>
public sealed class V1ScaleSmokeTests
{
    [Fact]
    public void Four_nodes_agree_and_never_fail_over_without_loss()
    {
        var sim = new ScaleSimulation(V1Membership.Factory(), 4, seed: 11, clockSpreadPpm: 200);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(2));

        Assert.All(sim.Running, i => Assert.Equal(sim.Names, sim.Node(i)!.Live.Order(StringComparer.Ordinal)));
        Assert.All(sim.Running, i => Assert.True(sim.Node(i)!.Answering));
        Assert.Equal(0, ScaleScenarios.CountFalseFailovers(sim, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Four_nodes_detect_a_crash_and_give_its_address_one_new_owner()
    {
        var sim = new ScaleSimulation(V1Membership.Factory(), 4, seed: 12, clockSpreadPpm: 200);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(2));

        var sample = ScaleScenarios.MeasureCrash(sim, 2, TimeSpan.FromSeconds(3));

        // v1's documented bound (docs/membership.md): 600 ms until every survivor dropped the node.
        Assert.NotNull(sample.AllDropped);
        Assert.NotNull(sample.NewOwner);
        Assert.InRange(sample.AllDropped.Value, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600));
        Assert.InRange(sample.NewOwner.Value, TimeSpan.FromMilliseconds(200), sample.AllDropped.Value);
        Assert.All(sim.Running, i => Assert.DoesNotContain("node-002", sim.Node(i)!.Live));
    }

    [Fact]
    public void False_failovers_are_counted_when_a_node_drops_a_live_member()
    {
        // The counter must be able to fail: a node cut off in both directions is dropped by the others.
        var sim = new ScaleSimulation(V1Membership.Factory(), 4, seed: 13);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(2));
        sim.Network.Partition([0, 1, 2], [3]);

        Assert.True(ScaleScenarios.CountFalseFailovers(sim, TimeSpan.FromSeconds(2)) >= 3);
    }
}
