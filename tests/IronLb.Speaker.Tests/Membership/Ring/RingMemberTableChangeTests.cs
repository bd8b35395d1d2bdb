namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// The member table changes while the ring runs: speakers added to a running cluster (scale-up) and a Node deleted
/// (scale-down). Verdicts witnessed under the smaller table are too small a proof for the larger one; the observers
/// witness them again, so a newcomer's book fills and it joins.
/// </summary>
public sealed class RingMemberTableChangeTests(ITestOutputHelper output)
{
    /// <summary>
    /// A node whose observers are mostly replaced by newcomers cannot count their echoes before one exchange with them,
    /// so doubling the cluster may pause it briefly; adding a few speakers pauses nobody (docs/membership.md).
    /// </summary>
    [Theory]
    [InlineData(2, 3, 0)]
    [InlineData(3, 5, 0)]
    [InlineData(4, 8, 500)]
    public void Speakers_added_to_a_running_ring_join_and_take_their_share(int first, int total, int maxPauseMs)
    {
        var sim = new RingSim(total, addresses: 24, seed: first * 10 + total);
        var early = Enumerable.Range(0, first).ToList();
        var earlyNames = early.Select(i => sim.Names[i]).ToList();
        for (var i = 0; i < total; i++)
        {
            if (i < first)
            {
                sim.Nodes[i].SetMembers(earlyNames);
            }
            else
            {
                sim.Crash(i); // not started yet: its Node and Lease do not exist
            }
        }

        foreach (var i in early)
        {
            sim.Nodes[i].Start(1);
        }

        sim.Run(TimeSpan.FromSeconds(10), until: () => early.All(i => sim.Nodes[i].Joined) && sim.Settled(early));
        Assert.True(sim.Settled(early), $"the first {first} never settled");

        foreach (var i in early)
        {
            sim.Nodes[i].SetMembers(sim.Names);
        }

        for (var i = first; i < total; i++)
        {
            sim.Restart(i);
        }

        var all = Enumerable.Range(0, total).ToList();
        var grownAt = sim.Now;
        var paused = new int[total];
        sim.Run(TimeSpan.FromSeconds(20), until: () =>
        {
            // The nodes already answering keep answering while the newcomers join: a join is no outage.
            foreach (var i in early.Where(i => !sim.IsAnswering(i)))
            {
                paused[i] += 10;
            }

            return all.All(i => sim.Nodes[i].Joined && sim.Nodes[i].ElectionSet.Length == total) && sim.Settled(all);
        });

        output.WriteLine($"{first} → {total}: every node joined and every address answered {(sim.Now - grownAt).TotalMilliseconds} ms after the table grew; longest answering pause of an early node {paused.Max()} ms");
        Assert.All(all, i => Assert.True(sim.Nodes[i].Joined, $"{sim.Names[i]} never joined"));
        Assert.All(all, i => Assert.Equal(total, sim.Nodes[i].ElectionSet.Length));
        Assert.True(sim.Settled(all), "an address without its owner among all nodes");
        Assert.True(paused.Max() <= maxPauseMs, $"an early node stopped answering for {paused.Max()} ms during the join (at most {maxPauseMs})");
        Assert.Empty(sim.Violations);
    }

    [Fact]
    public void A_deleted_member_leaves_the_table_and_the_rest_keep_answering()
    {
        var sim = new RingSim(5, addresses: 24, seed: 77);
        sim.StartAll();
        var all = Enumerable.Range(0, 5).ToList();
        sim.Run(TimeSpan.FromSeconds(10), until: () => all.All(i => sim.Nodes[i].Joined) && sim.Settled(all));
        Assert.True(sim.Settled(all));

        // The Node of node 4 is deleted: its speaker stops, and discovery drops it everywhere.
        sim.Crash(4);
        var rest = all.Take(4).ToList();
        foreach (var i in rest)
        {
            sim.Nodes[i].SetMembers(rest.Select(r => sim.Names[r]));
        }

        var shrunkAt = sim.Now;
        sim.Run(TimeSpan.FromSeconds(20), until: () => sim.Settled(rest));

        output.WriteLine($"5 → 4: every address answered {(sim.Now - shrunkAt).TotalMilliseconds} ms after the table shrank");
        Assert.True(sim.Settled(rest), "an address without its owner among the four");
        Assert.Empty(sim.Violations);
    }
}
