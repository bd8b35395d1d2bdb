using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// A small cluster loses members to crashes (no goodbye), keeps a majority, and then a survivor comes back as a new
/// incarnation: it stalled for longer than W_f + margin (its fence lapsed), or it was restarted. The lab's
/// <c>Kill_9_of_the_owner</c> row failed this way under load: three nodes, the owner killed, and nobody answered any
/// address for the whole 90 s. An alive verdict asked for the table's quorum of ups (two of three) while the crash had
/// left the subject one observer, so the new incarnation could never join; in three nodes it was also the other
/// survivor's only fence observer, which lapsed, moved on and stayed out too. Every row stayed unanswered for good
/// before the fix.
/// </summary>
public sealed class RingSurvivorRejoinTests(ITestOutputHelper output)
{
    /// <summary>From the survivor's return (its resume or restart) to every address answered by one survivor.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(3, 1, Comeback.Stall)]
    [InlineData(3, 1, Comeback.StallEverywhere)]
    [InlineData(3, 1, Comeback.Restart)]
    [InlineData(3, 1, Comeback.RestartEverywhere)]
    [InlineData(4, 1, Comeback.Stall)]
    [InlineData(5, 2, Comeback.Stall)]
    [InlineData(5, 2, Comeback.Restart)]
    public void A_survivor_back_as_a_new_incarnation_rejoins_the_survivors_of_a_crash(int nodes, int crashes, Comeback how)
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var sim = new RingSim(nodes, addresses: 16, seed: seed);
            var all = Enumerable.Range(0, nodes).ToList();

            // Crashed members apart on the node list (not adjacent), so the correlated-failure rule plays no part.
            var crashed = Enumerable.Range(0, crashes).Select(i => (2 * i) + 1).ToList();
            var survivors = all.Except(crashed).ToList();
            sim.StartAll();
            sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(all));
            Assert.True(sim.Settled(all), RingScenarios.Describe(sim));

            foreach (var node in crashed)
            {
                sim.Crash(node);
            }

            sim.Run(TimeSpan.FromSeconds(10), until: () => sim.Settled(survivors));
            Assert.True(sim.Settled(survivors), RingScenarios.Describe(sim));
            sim.Run(TimeSpan.FromSeconds(2));

            var incarnations = survivors.ToDictionary(s => s, s => sim.Nodes[s].Incarnation);
            var back = Bring(sim, survivors, how);
            var returned = sim.Now;
            sim.Run(Bound + TimeSpan.FromSeconds(1), until: () => survivors.All(s => sim.Nodes[s].Joined) && sim.Settled(survivors));
            var took = sim.Now - returned;
            output.WriteLine($"{nodes} nodes, {crashes} crashed, {how}, seed {seed}: answered again {took.TotalMilliseconds} ms after the return");

            // The row must have tested something: the returned survivor is a new incarnation.
            Assert.True(sim.Nodes[back].Incarnation != incarnations[back], $"node {back} did not come back as a new incarnation");
            // And knows why, which the speaker logs: a stall lapsed its fence; a restart started afresh.
            Assert.Equal(how is Comeback.Restart or Comeback.RestartEverywhere ? RingIncarnationCause.Started : RingIncarnationCause.FenceLapsed, sim.Nodes[back].IncarnationCause);
            Assert.True(sim.Settled(survivors), RingScenarios.Describe(sim));
            Assert.True(took <= Bound, $"{took.TotalMilliseconds} ms; {RingScenarios.Describe(sim)}");

            // And it stays so.
            sim.Run(TimeSpan.FromSeconds(10));
            Assert.True(sim.Settled(survivors), RingScenarios.Describe(sim));
            Assert.Empty(sim.Violations);
        }
    }

    public enum Comeback
    {
        /// <summary>The first survivor stalls for 500 ms (a starved process): its fence lapses, it moves on.</summary>
        Stall,

        /// <summary>Every survivor stalls for the same 500 ms (the whole machine, as in the lab).</summary>
        StallEverywhere,

        /// <summary>The first survivor's process restarts.</summary>
        Restart,

        /// <summary>Every survivor's process restarts at once: their new books never heard the crashed member (an end on incarnation 0).</summary>
        RestartEverywhere,
    }

    private static int Bring(RingSim sim, List<int> survivors, Comeback how)
    {
        var first = survivors[0];
        if (how is Comeback.Restart or Comeback.RestartEverywhere)
        {
            foreach (var node in how == Comeback.Restart ? [first] : survivors)
            {
                sim.Restart(node);
            }

            return first;
        }

        var stalled = how == Comeback.StallEverywhere ? survivors : [first];
        foreach (var node in stalled)
        {
            sim.Freeze(node);
        }

        sim.Run(TimeSpan.FromMilliseconds(500));
        foreach (var node in stalled)
        {
            sim.Resume(node);
        }

        return first;
    }
}
