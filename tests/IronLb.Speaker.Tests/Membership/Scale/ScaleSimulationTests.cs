using IronLb.Membership.Simulation;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>The scale simulator's event loop with a scripted protocol: exact counters, ticks, crashes, freezes, clocks.</summary>
public sealed class ScaleSimulationTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Counters_are_exact_for_a_scripted_exchange()
    {
        var nodes = new List<ScriptedMembership>();
        var sim = new ScaleSimulation(ScriptedMembership.Factory(nodes, Period), 3, seed: 1);
        sim.StartAll();
        nodes[0].Outbox.Enqueue(new Datagram("node-001", new byte[10]));
        nodes[0].Outbox.Enqueue(new Datagram("node-001", new byte[10]));
        nodes[0].Outbox.Enqueue(new Datagram("node-002", new byte[7]));
        nodes[1].Echo = true;
        nodes[2].Echo = true;

        sim.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(new NodeTraffic(SentDatagrams: 3, SentBytes: 27, ReceivedDatagrams: 3, ReceivedBytes: 15, Lost: 0), sim.Network.Traffic(0));
        Assert.Equal(new NodeTraffic(SentDatagrams: 2, SentBytes: 10, ReceivedDatagrams: 2, ReceivedBytes: 20, Lost: 0), sim.Network.Traffic(1));
        Assert.Equal(new NodeTraffic(SentDatagrams: 1, SentBytes: 5, ReceivedDatagrams: 1, ReceivedBytes: 7, Lost: 0), sim.Network.Traffic(2));
        Assert.Equal(["node-001", "node-001", "node-002"], nodes[0].Received.Select(r => r.From).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_node_ticks_once_per_period_at_its_own_phase()
    {
        var nodes = new List<ScriptedMembership>();
        var sim = new ScaleSimulation(ScriptedMembership.Factory(nodes, Period), 20, seed: 2);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(10));

        // Started within the first period, so 100 ticks in [phase, 10 s), or 101 when the phase was 0.
        Assert.All(nodes, n => Assert.InRange(n.Ticks, 100, 101));
        Assert.Equal(TimeSpan.FromSeconds(10), sim.Now);
    }

    [Fact]
    public void A_crashed_node_stops_ticking_and_loses_what_is_sent_to_it()
    {
        var nodes = new List<ScriptedMembership>();
        var sim = new ScaleSimulation(ScriptedMembership.Factory(nodes, Period), 2, seed: 3);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(1));
        var ticks = nodes[1].Ticks;

        sim.Crash(1);
        nodes[0].Outbox.Enqueue(new Datagram("node-001", new byte[4]));
        sim.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(ticks, nodes[1].Ticks);
        Assert.Empty(nodes[1].Received);
        Assert.Equal(1, sim.Network.Traffic(1).Lost);
        Assert.Equal(0, sim.Network.Traffic(1).ReceivedDatagrams);

        sim.Start(1);
        sim.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(3, nodes.Count); // the restart is a new instance
        Assert.InRange(nodes[2].Ticks, 10, 11);
    }

    [Fact]
    public void A_frozen_node_skips_its_ticks_and_reads_its_buffered_datagrams_when_thawed()
    {
        var nodes = new List<ScriptedMembership>();
        var sim = new ScaleSimulation(ScriptedMembership.Factory(nodes, Period), 2, seed: 4);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(1));
        var ticks = nodes[1].Ticks;

        sim.Freeze(1);
        nodes[0].Outbox.Enqueue(new Datagram("node-001", new byte[4]));
        nodes[0].Outbox.Enqueue(new Datagram("node-001", new byte[4]));
        sim.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(ticks, nodes[1].Ticks);
        Assert.Empty(nodes[1].Received);

        sim.Thaw(1);
        Assert.Equal(2, nodes[1].Received.Count);
        sim.Run(TimeSpan.FromSeconds(1));
        Assert.InRange(nodes[1].Ticks, ticks + 10, ticks + 11);
        Assert.Equal(0, sim.Network.Traffic(1).Lost);
    }

    [Fact]
    public void Each_node_reads_its_own_clock_at_its_own_rate()
    {
        var nodes = new List<ScriptedMembership>();
        var sim = new ScaleSimulation(ScriptedMembership.Factory(nodes, Period), 4, seed: 5, clockSpreadPpm: 200);
        sim.StartAll();
        var starts = nodes.Select(n => n.Setup.Time.GetTimestamp()).ToList();

        sim.Run(TimeSpan.FromSeconds(100));

        for (var i = 0; i < nodes.Count; i++)
        {
            var ppm = sim.Clocks[i].RatePpm;
            Assert.InRange(ppm, -200, 200);
            Assert.Same(sim.Clocks[i], nodes[i].Setup.Time);
            var expected = TimeSpan.FromSeconds(100 * (1 + (ppm / 1e6)));
            Assert.InRange(nodes[i].Setup.Time.GetElapsedTime(starts[i]).Ticks, expected.Ticks - 1, expected.Ticks + 1);
        }

        Assert.True(sim.Clocks.Select(c => c.RatePpm).Distinct().Count() > 1, "the spread gave every node the same rate");
    }

    [Fact]
    public void One_way_loss_in_the_simulation_drops_only_that_direction()
    {
        var nodes = new List<ScriptedMembership>();
        var sim = new ScaleSimulation(ScriptedMembership.Factory(nodes, Period), 2, seed: 6);
        sim.StartAll();
        sim.Network.Block(0, 1);
        nodes[0].Outbox.Enqueue(new Datagram("node-001", new byte[3]));
        nodes[1].Outbox.Enqueue(new Datagram("node-000", new byte[3]));

        sim.Run(TimeSpan.FromSeconds(1));

        Assert.Empty(nodes[1].Received);
        Assert.Single(nodes[0].Received);
    }
}
