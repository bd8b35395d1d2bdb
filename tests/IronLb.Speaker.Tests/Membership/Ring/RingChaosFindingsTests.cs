namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// Minimal reproductions of what the chaos schedule (<see cref="RingChaos"/>) and the lab's failover bench found in the
/// ring. A finding not fixed yet is skipped, its reason naming it; the skip goes with the fix.
/// </summary>
public sealed class RingChaosFindingsTests(ITestOutputHelper output)
{
    /// <summary>
    /// Four nodes; node-003 has the largest id of the four, so in every observer pair it is the one that only replies.
    /// A 2 s cut fences it; it comes back as a new incarnation while the others remove the old one and shift their rings
    /// past it. After the heal nobody sends it a request (the others wait to hear its new incarnation first) and it sends
    /// nobody one (it only replies), so it never gathers the three ups of an alive verdict and stays out for good.
    /// Every seed, every cycle; cutting node-000, -001 or -002 the same way comes back in 0.4 s. The lab shows the same
    /// (`bench failover`: the cut speaker never announces again; cwn2 talked to cwn1 and cwn3 but exchanged nothing with cwn4).
    /// Fixed: until it has joined, a node also sends to the observers it would otherwise only answer.
    /// </summary>
    [Fact]
    public void A_node_cut_off_for_two_seconds_rejoins_after_the_heal_whatever_its_place_on_the_ring()
    {
        var sim = Settled(4, seed: 1);
        sim.Run(TimeSpan.FromSeconds(6));

        sim.Links.Isolate(3, 4);
        sim.Run(TimeSpan.FromSeconds(2));
        sim.Links.Heal();
        var healed = sim.Now;
        sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Nodes.All(n => n.Joined && n.ElectionSet.Length == 4));

        output.WriteLine($"{(sim.Now - healed).TotalMilliseconds} ms after the heal\n{RingScenarios.Describe(sim)}");
        Assert.All(sim.Nodes, n => Assert.True(n.Joined && n.ElectionSet.Length == 4, RingScenarios.Describe(sim)));
        Assert.Empty(sim.Violations);
    }

    /// <summary>
    /// Fifty nodes; one link blocked one way, from some member towards a node that then restarts. The restarted node's
    /// alive verdict spreads (every other node elects it at once) but its join waits for an ack from every member, and
    /// that member's ack never arrives: the addresses the others elect it for stay unanswered for as long as the link is
    /// down. Chaos seed 2101 with blocked links found it (node-043 after a partition heal, node-033 → node-043 blocked).
    /// </summary>
    [Fact(Skip = "Finding: one member that cannot reach a joiner blocks its join while the others already elect it (issue 21 chaos)")]
    public void A_restarted_node_that_one_member_cannot_reach_still_joins_or_is_not_elected()
    {
        var sim = Settled(50, seed: 2101);
        var owner = sim.AnsweringOwner(0);
        var blocked = (owner + 1) % 50;

        sim.Links.SetLinkLoss(blocked, owner, 1);
        sim.Crash(owner);
        sim.Run(TimeSpan.FromSeconds(3));
        sim.Restart(owner);
        sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(Enumerable.Range(0, 50)) && sim.Nodes[owner].Joined);

        output.WriteLine(RingScenarios.Describe(sim, [owner, blocked]));
        Assert.True(sim.Settled(Enumerable.Range(0, 50)), RingScenarios.Describe(sim, [owner, blocked]));
        Assert.Empty(sim.Violations);
    }

    /// <summary>
    /// Two answerers for 40 ms (four steps, address 198.51.100.25/0: node-011 and node-017). The schedule of chaos seed 4 at
    /// 50 nodes: a 16/50 partition at 0.4 s that stays, crashes, freezes, one-way losses; at 54.83 s everything heals at once
    /// (the 16 removed members come back, node-010 resumes after a 6 s freeze). At 54.93 s node-010 (just resumed, a new
    /// incarnation, a round lease from the rounds in its backlog) and node-040 hold a Dead verdict on node-017, which was
    /// never cut off and is answering as incarnation 1; the verdict reaches the majority in 20 ms, node-011 takes the
    /// address over, and node-017 answers on until it learns the verdict. A healthy cluster with only the freeze and resume
    /// (every node of seeds 4 and 5) shows nothing, so the heal of the partition plays a part.
    /// Cause (traced at 6039c24): the verdict's witnesses were node-010 and two minority members back as new incarnations
    /// (node-002, node-023), each calling node-017 down on its first period back, before any exchange with it. node-040
    /// had heard both rejoiners, so they displaced node-017's observers node-005 and node-029 in its ring; node-017 had
    /// heard only one of them and held its fence on node-005 and node-040's echoes. Fixed: downs, dead verdicts and the
    /// fence use a ring built from the verdict book alone, rejoiners witness nothing for a round after their alive verdict,
    /// and a node observes for W after a start, a new incarnation or a stall before it calls anyone down.
    /// Later protocol changes moved this schedule off the bad step (it passed on main before the fix); the same cause is
    /// reproduced on purpose by <see cref="RingRejoinDownTests"/>, whose rows failed before the fix.
    /// </summary>
    [Fact]
    public void Chaos_seed_4_never_has_two_answerers()
    {
        TenFaultsThenHealHaveNoTwoAnswerers(seed: 4);
    }

    /// <summary>
    /// Two answerers for 60 ms (node-003 and node-027) right after the last heal of chaos seed 34 at 50 nodes, found by
    /// the seed sweep (<see cref="RingChaosSweepTests"/>) once the two fixes above had moved the schedules. A minority
    /// member (node-007) gained the round lease from the majority's round pushes 50 ms after the heal and ended node-027
    /// with downs held all through the partition by itself and two other minority members: its book had not yet the
    /// majority's verdicts on them, so in its ring they still observed node-027, which answered through the observers the
    /// majority's ring had shifted onto it. Fixed: a node ends incarnations only once it has held the lease for a round.
    /// </summary>
    [Fact]
    public void Chaos_seed_34_never_has_two_answerers_after_the_last_heal()
    {
        TenFaultsThenHealHaveNoTwoAnswerers(seed: 34);
    }

    // Fifty nodes, ten chaos faults, every fault healed, five seconds more: never two answerers for one address.
    private void TenFaultsThenHealHaveNoTwoAnswerers(int seed)
    {
        var sim = Settled(50, seed, addresses: 32);
        var chaos = new RingChaos(sim, seed, maxLinkLoss: 0.6);

        chaos.Run(10);
        chaos.HealAll();
        sim.Run(TimeSpan.FromSeconds(5));

        output.WriteLine(string.Join("\n", chaos.Log));
        Assert.True(sim.Violations.Count == 0, chaos.Failure("two answerers"));
    }

    private static RingSim Settled(int nodes, int seed, int addresses = 16)
    {
        var sim = new RingSim(nodes, addresses, seed);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(Enumerable.Range(0, nodes)));
        Assert.True(sim.Settled(Enumerable.Range(0, nodes)), RingScenarios.Describe(sim));
        return sim;
    }
}
