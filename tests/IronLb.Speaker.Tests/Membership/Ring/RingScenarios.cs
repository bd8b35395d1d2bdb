namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>Measurements shared by the simulation test classes.</summary>
internal static class RingScenarios
{
    /// <summary>
    /// The documented bound for a minority to go quiet: the last majority round it can still see (entered up to a round
    /// after the split, filled up to two rounds later) plus the lease of <see cref="Speaker.Membership.Ring.RingOptions.RoundLease"/>.
    /// </summary>
    public static readonly TimeSpan MinorityBound = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The documented bound for the majority to take over what a cut-off run of adjacent members answered: downs held
    /// W + CorrelatedDelay and members absent from the rounds CorrelatedDelay + a round (about 6 s), twice for the middle
    /// of a long run (its shifted-in observers wait W + CorrelatedDelay first), plus gossip and joins.
    /// </summary>
    public static readonly TimeSpan CorrelatedBound = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Crashes the answering owner of a random address at a random phase, measures until another node answers it,
    /// restarts the crashed node and lets it rejoin; returns milliseconds per crash.
    /// </summary>
    public static List<double> MeasureCrashes(RingSim sim, int crashes, Random random)
    {
        var nodes = Enumerable.Range(0, sim.Nodes.Length).ToList();
        var times = new List<double>();
        for (var i = 0; i < crashes; i++)
        {
            sim.Run(TimeSpan.FromMilliseconds(random.Next(0, 200)));
            var address = random.Next(sim.Addresses.Length);
            var owner = sim.AnsweringOwner(address);
            var crashedAt = sim.Now;
            sim.Crash(owner);
            sim.Run(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5), () => sim.AnsweringOwner(address) >= 0);
            times.Add((sim.Now - crashedAt).TotalMilliseconds);
            sim.Restart(owner);

            // Settled alone can hold for a moment before the restarted node's join completes (its alive verdict not yet
            // applied everywhere); the next crash would then meet the join's hand-over instead of a settled cluster.
            sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Nodes[owner].Joined && sim.Settled(nodes));
            Assert.True(sim.Settled(nodes), Describe(sim));
        }

        return times;
    }

    /// <summary>The step of the long runs: coarse (a reply leaves one step after its request), but half a period, so every period still has its own tick.</summary>
    public static readonly TimeSpan CoarseStep = TimeSpan.FromMilliseconds(50);

    /// <summary>Average datagrams/s and kbit/s sent per node over <paramref name="window"/> (UDP payload bytes), and the busiest node's kbit/s.</summary>
    public static (double Datagrams, double Kbits, double MaxKbits) MeasureTraffic(RingSim sim, TimeSpan window)
    {
        var before = Enumerable.Range(0, sim.Nodes.Length).Select(sim.Sent).ToArray();
        sim.Run(window);
        var after = Enumerable.Range(0, sim.Nodes.Length).Select(sim.Sent).ToArray();
        var seconds = window.TotalSeconds;
        var datagrams = Enumerable.Range(0, before.Length).Average(i => after[i].Datagrams - before[i].Datagrams) / seconds;
        var kbits = Enumerable.Range(0, before.Length).Select(i => (after[i].Bytes - before[i].Bytes) * 8 / seconds / 1000).ToList();
        return (datagrams, kbits.Average(), kbits.Max());
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>How many nodes run another incarnation than at <paramref name="before"/>: each one is a removal (a flap if nothing failed).</summary>
    public static int Rejoins(RingSim sim, ulong[] before) => sim.Nodes.Where((n, i) => n.Incarnation != before[i]).Count();

    public static string Describe(RingSim sim, IEnumerable<int>? which = null) => $"at {sim.Now}, {sim.Violations.Count} violations, unanswered {string.Join(",", Enumerable.Range(0, sim.Addresses.Length).Where(a => sim.AnsweringOwner(a) < 0))}\n" + string.Join(
        "\n",
        (which ?? Enumerable.Range(0, sim.Nodes.Length)).Take(12).Select(i =>
        {
            var n = sim.Nodes[i];
            return $"{sim.Names[i]} {sim.States[i]} inc={n.Incarnation} joined={n.Joined} lease={n.HoldsRoundLease} answering={sim.IsAnswering(i)} set={n.ElectionSet.Length} owns={string.Join(",", sim.Owned(i))}";
        }));
}
