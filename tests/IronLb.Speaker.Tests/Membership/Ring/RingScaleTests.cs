namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>Membership v2 at 500 nodes, and 12 simulated hours at 4 nodes with drifting, stepped clocks: minutes, so Slow.</summary>
[Trait("Category", Category.Slow)]
public sealed class RingScaleTests(ITestOutputHelper output)
{
    private const int Nodes = 500;

    [Fact]
    public void Five_hundred_nodes_stay_under_64_kbit_per_node_and_detect_crashes_fast()
    {
        var sim = new RingSim(Nodes, addresses: 100, seed: 5000);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(60), until: () => sim.Settled(Enumerable.Range(0, Nodes)));
        Assert.True(sim.Settled(Enumerable.Range(0, Nodes)), RingScenarios.Describe(sim));
        output.WriteLine($"{Nodes} nodes settled {sim.Now.TotalMilliseconds} ms after a cold start");

        var (datagrams, kbits, maxKbits) = RingScenarios.MeasureTraffic(sim, TimeSpan.FromSeconds(5));
        output.WriteLine($"{Nodes} nodes steady state: {datagrams:F1} datagrams/s and {kbits:F1} kbit/s sent per node (max node {maxKbits:F1} kbit/s)");
        Assert.True(maxKbits <= 64, $"{maxKbits} kbit/s");

        var times = RingScenarios.MeasureCrashes(sim, 5, new Random(Nodes));
        output.WriteLine($"{Nodes} nodes, 5 crashes: crash to moved address median {RingScenarios.Median(times)} ms, max {times.Max()} ms");
        Assert.True(RingScenarios.Median(times) < 1000);
        Assert.True(times.Max() < 2000);
        Assert.Empty(sim.Violations);
    }

    [Fact]
    public void Five_hundred_nodes_ride_out_five_percent_loss_on_every_link()
    {
        var sim = new RingSim(Nodes, addresses: 100, seed: 5000);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(60), until: () => sim.Settled(Enumerable.Range(0, Nodes)));
        Assert.True(sim.Settled(Enumerable.Range(0, Nodes)), RingScenarios.Describe(sim));
        var incarnations = sim.Nodes.Select(n => n.Incarnation).ToArray();
        sim.CountChanges = true;
        sim.Links.Loss = 0.05;
        sim.Run(TimeSpan.FromSeconds(20));
        output.WriteLine($"{Nodes} nodes, 20 s of 5% loss: {sim.OwnershipChanges} ownership changes, {RingScenarios.Rejoins(sim, incarnations)} removals or rejoins");
        Assert.Equal(0, sim.OwnershipChanges);
        Assert.Equal(incarnations, sim.Nodes.Select(n => n.Incarnation));
        Assert.Empty(sim.Violations);
    }

    [Fact]
    public void Twelve_hours_of_drifting_and_stepped_clocks_bring_no_lockout_and_no_flap()
    {
        var sim = new RingSim(4, addresses: 16, seed: 12);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(Enumerable.Range(0, 4)));
        Assert.True(sim.Settled(Enumerable.Range(0, 4)), RingScenarios.Describe(sim));
        var incarnations = sim.Nodes.Select(n => n.Incarnation).ToArray();
        sim.CountChanges = true;
        var random = new Random(12);

        for (var minute = 0; minute < 12 * 60; minute++)
        {
            if (minute % 10 == 0)
            {
                // NTP or an operator steps a wall clock by up to ±5 s: only monotonic time is read, so nothing may move.
                sim.Clocks[random.Next(4)].StepWall(TimeSpan.FromMilliseconds(random.Next(-5000, 5001)));
            }

            sim.Run(TimeSpan.FromMinutes(1), RingScenarios.CoarseStep);
        }

        output.WriteLine($"12 h: clock rates {string.Join(", ", sim.Clocks.Select(c => $"{c.RatePpm:F0} ppm"))}; ownership changes {sim.OwnershipChanges}");
        Assert.Empty(sim.Violations);
        Assert.Equal(0, sim.OwnershipChanges);
        Assert.Equal(incarnations, sim.Nodes.Select(n => n.Incarnation));
        Assert.True(sim.Settled(Enumerable.Range(0, 4)), RingScenarios.Describe(sim));
    }
}
