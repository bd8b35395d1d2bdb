using System.Diagnostics;
using IronLb.Membership.Simulation;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>
/// 500 nodes sending what the v2 design sends (40 datagrams/s each) for 20 simulated seconds: the simulator
/// carries the bench's largest size, and its counters stay exact at 400,000 datagrams.
/// </summary>
[Trait("Category", Category.Slow)]
public sealed class RingLoadScaleTests
{
    [Fact]
    public void Five_hundred_ring_nodes_run_twenty_seconds_with_exact_counters()
    {
        var sim = new ScaleSimulation(RingLoadMembership.Factory, 500, seed: 21, clockSpreadPpm: 200);
        sim.StartAll();
        sim.Network.Loss = 0.05;
        var wall = Stopwatch.StartNew();

        sim.Run(TimeSpan.FromSeconds(20));

        long sent = 0, received = 0, lost = 0;
        for (var i = 0; i < sim.Size; i++)
        {
            var traffic = sim.Network.Traffic(i);
            Assert.InRange(traffic.SentDatagrams, 4 * 200, 4 * 201);
            Assert.Equal(traffic.SentDatagrams * RingLoadMembership.PayloadBytes, traffic.SentBytes);
            sent += traffic.SentDatagrams;
            received += traffic.ReceivedDatagrams;
            lost += traffic.Lost;
        }

        // Every datagram is either lost, delivered, or still in flight at the end.
        Assert.Equal(sent, received + lost + sim.Network.InFlight);
        Assert.InRange(lost / (double)sent, 0.045, 0.055);
        TestContext.Current.TestOutputHelper?.WriteLine($"500 nodes, 20 simulated s, {sent} datagrams: {wall.Elapsed.TotalSeconds:0.0} s wall");
    }
}
