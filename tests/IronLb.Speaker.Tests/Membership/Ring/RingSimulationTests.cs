using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>Membership v2 on fake time at 4 and 50 nodes: start, crashes, freezes, cuts, loss, partitions, joins and leaves.</summary>
public sealed class RingSimulationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(4)]
    [InlineData(50)]
    public void A_cold_start_settles_on_exactly_one_answerer_per_address(int nodes)
    {
        var sim = Settled(nodes, seed: nodes);

        output.WriteLine($"settled after {sim.Now.TotalMilliseconds} ms");
        Assert.Empty(sim.Violations);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(50)]
    public void Steady_traffic_per_node_stays_under_64_kbit(int nodes)
    {
        var sim = Settled(nodes, seed: 50 + nodes);

        var (datagrams, kbits, maxKbits) = RingScenarios.MeasureTraffic(sim, TimeSpan.FromSeconds(5));

        output.WriteLine($"{nodes} nodes steady state: {datagrams:F1} datagrams/s and {kbits:F1} kbit/s sent per node (max node {maxKbits:F1} kbit/s)");
        Assert.True(maxKbits <= 64, $"{maxKbits} kbit/s");
        Assert.Empty(sim.Violations);
    }

    [Theory]
    [InlineData(4, 12)]
    [InlineData(50, 8)]
    public void A_crashed_owner_s_address_moves_in_under_a_second(int nodes, int crashes)
    {
        var sim = Settled(nodes, seed: 100 + nodes);
        var times = RingScenarios.MeasureCrashes(sim, crashes, new Random(nodes));

        output.WriteLine($"{nodes} nodes, {crashes} crashes: crash to moved address median {RingScenarios.Median(times)} ms, max {times.Max()} ms");
        Assert.Empty(sim.Violations);
        Assert.True(RingScenarios.Median(times) < 1000, $"median {RingScenarios.Median(times)} ms");
        Assert.True(times.Max() < 2000, $"max {times.Max()} ms");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(50)]
    public void Five_percent_loss_on_every_link_for_a_minute_changes_no_ownership(int nodes)
    {
        var sim = Settled(nodes, seed: 200 + nodes);
        var incarnations = sim.Nodes.Select(n => n.Incarnation).ToArray();
        sim.CountChanges = true;
        sim.Links.Loss = 0.05;

        sim.Run(TimeSpan.FromSeconds(60));

        output.WriteLine($"{nodes} nodes, 60 s of 5% loss: {sim.OwnershipChanges} ownership changes, {RingScenarios.Rejoins(sim, incarnations)} removals");
        Assert.Empty(sim.Violations);
        Assert.Equal(0, sim.OwnershipChanges);
        Assert.Equal(incarnations, sim.Nodes.Select(n => n.Incarnation));
        Assert.All(sim.Nodes, n => Assert.Equal(nodes, n.ElectionSet.Length));
    }

    [Fact]
    public void A_frozen_owner_goes_quiet_before_its_address_moves_and_rejoins_as_a_new_incarnation()
    {
        var sim = Settled(4, seed: 300);
        var owner = sim.AnsweringOwner(0);
        var incarnation = sim.Nodes[owner].Incarnation;

        sim.Freeze(owner);
        sim.Run(TimeSpan.FromSeconds(5));
        Assert.NotEqual(owner, sim.AnsweringOwner(0));
        Assert.NotEqual(-1, sim.AnsweringOwner(0));

        sim.Resume(owner);
        sim.Run(TimeSpan.FromSeconds(20), until: () => sim.Settled(Enumerable.Range(0, 4)) && sim.Nodes[owner].Incarnation > incarnation && sim.Nodes[owner].Joined);

        Assert.Empty(sim.Violations);
        Assert.True(sim.Nodes[owner].Incarnation > incarnation);
        // Resumed, it reads the others' verdict on it from its socket before it ticks: they ended it, not its fence.
        Assert.Equal(RingIncarnationCause.EndedByOthers, sim.Nodes[owner].IncarnationCause);
        Assert.True(sim.Settled(Enumerable.Range(0, 4)), RingScenarios.Describe(sim));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(50)]
    public void A_heartbeat_only_cut_at_the_owner_never_gives_two_answerers(int nodes)
    {
        var sim = Settled(nodes, seed: 400 + nodes);
        var owner = sim.AnsweringOwner(0);

        sim.Links.Isolate(owner, nodes);
        sim.Run(TimeSpan.FromSeconds(5));
        Assert.False(sim.IsAnswering(owner));
        Assert.True(sim.Settled(Enumerable.Range(0, nodes).Where(n => n != owner)), RingScenarios.Describe(sim));

        sim.Links.Heal();
        sim.Run(TimeSpan.FromSeconds(20), until: () => sim.Settled(Enumerable.Range(0, nodes)) && sim.Nodes[owner].Joined);

        Assert.Empty(sim.Violations);
        Assert.True(sim.Settled(Enumerable.Range(0, nodes)), RingScenarios.Describe(sim));
    }

    [Fact]
    public void One_way_loss_on_one_link_is_outvoted()
    {
        var sim = Settled(50, seed: 500);
        var owner = sim.AnsweringOwner(0);
        sim.CountChanges = true;
        foreach (var other in Enumerable.Range(0, 50).Where(o => o != owner).Take(50))
        {
            // Every link out of the owner to one observer and into it from another, one way each.
            sim.Links.SetLinkLoss(owner, other, other % 7 == 0 ? 1 : 0);
        }

        var incarnations = sim.Nodes.Select(n => n.Incarnation).ToArray();
        sim.Run(TimeSpan.FromSeconds(20));

        output.WriteLine($"one-way cuts out of the owner: {sim.OwnershipChanges} ownership changes, {RingScenarios.Rejoins(sim, incarnations)} removals");
        Assert.Empty(sim.Violations);
        Assert.Equal(0, sim.OwnershipChanges);
    }

    [Fact]
    public void Every_node_of_a_minority_partition_stops_answering_within_the_bound()
    {
        var sim = Settled(50, seed: 600);
        var minority = Enumerable.Range(0, 20).ToList();
        var majority = Enumerable.Range(20, 30).ToList();
        var split = sim.Now;

        sim.Links.Partition(50, minority);
        sim.Run(TimeSpan.FromSeconds(10), until: () => minority.All(n => !sim.IsAnswering(n)));
        var quiet = sim.Now - split;

        output.WriteLine($"minority of 20/50 quiet {quiet.TotalMilliseconds} ms after the split");
        Assert.Empty(sim.Violations);
        Assert.True(quiet < RingScenarios.MinorityBound, $"minority quiet after {quiet}");
        Assert.All(minority, n => Assert.False(sim.IsAnswering(n)));
    }

    [Theory]
    [InlineData(600)]
    [InlineData(601)]
    [InlineData(602)]
    public void After_a_20_50_partition_the_majority_answers_every_address_and_the_minority_rejoins_after_the_heal(int seed)
    {
        var sim = Settled(50, seed);
        var minority = Enumerable.Range(0, 20).ToList();
        var majority = Enumerable.Range(20, 30).ToList();
        var split = sim.Now;

        // Adjacent runs of three or more cut-off members are removed by the correlated rule, after their round leases.
        sim.Links.Partition(50, minority);
        sim.Run(TimeSpan.FromSeconds(60), until: () => sim.Settled(majority));
        var taken = sim.Now - split;
        var correlated = majority.Sum(n => sim.Nodes[n].CorrelatedVerdicts);
        output.WriteLine($"20/50 partition: the majority answers every address {taken.TotalMilliseconds} ms after the split ({correlated} correlated verdicts)");
        Assert.True(sim.Settled(majority), RingScenarios.Describe(sim, majority));
        Assert.True(taken < RingScenarios.CorrelatedBound, $"majority took over after {taken}");
        Assert.True(correlated > 0, "a 20/50 split has adjacent runs of three; the test must exercise the correlated rule");

        // Members that own none of the addresses may still be in the sets: every one of them goes too, in the same bound.
        sim.Run(TimeSpan.FromSeconds(60), until: () => majority.All(n => sim.Nodes[n].ElectionSet.Length == majority.Count));
        output.WriteLine($"every cut-off member removed everywhere {(sim.Now - split).TotalMilliseconds} ms after the split");
        Assert.All(majority, n => Assert.Equal(majority.Count, sim.Nodes[n].ElectionSet.Length));
        Assert.True(sim.Now - split < RingScenarios.CorrelatedBound, $"removed after {sim.Now - split}");

        // After the heal the removed members learn their verdicts (or have already moved on after their fence lapsed),
        // come back as new incarnations and take their share back.
        sim.Links.Heal();
        var healed = sim.Now;
        sim.Run(TimeSpan.FromSeconds(60), until: () => sim.Nodes.All(n => n.Joined && n.ElectionSet.Length == 50) && sim.Settled(Enumerable.Range(0, 50)));
        output.WriteLine($"healed: every member rejoined and every address is answered {(sim.Now - healed).TotalMilliseconds} ms later");
        Assert.All(sim.Nodes, n => Assert.True(n.Joined && n.ElectionSet.Length == 50, RingScenarios.Describe(sim)));
        Assert.True(sim.Settled(Enumerable.Range(0, 50)), RingScenarios.Describe(sim));
        Assert.Empty(sim.Violations);
    }

    [Fact]
    public void A_request_without_a_reply_is_asked_again_within_the_period_and_only_then()
    {
        var sim = Settled(4, seed: 1000);
        var (initiator, responder) = MemberTable.IdOf(sim.Names[0]) < MemberTable.IdOf(sim.Names[1]) ? (0, 1) : (1, 0);

        // Four nodes: everybody observes everybody, the smaller id asks. Other kinds (rounds, acks) also travel on the
        // link, so the request rate is read as the difference between a quiet second and a second of lost replies.
        var quietBefore = sim.Links.SentOn(initiator, responder);
        sim.Run(TimeSpan.FromSeconds(1));
        var quiet = sim.Links.SentOn(initiator, responder) - quietBefore;

        sim.Links.SetLinkLoss(responder, initiator, 1);
        var lossyBefore = sim.Links.SentOn(initiator, responder);
        sim.Run(TimeSpan.FromSeconds(1));
        var lossy = sim.Links.SentOn(initiator, responder) - lossyBefore;

        output.WriteLine($"{sim.Names[initiator]} to {sim.Names[responder]}: {quiet} datagrams in a quiet second, {lossy} with every reply lost");
        Assert.InRange(lossy - quiet, 8, 11);
    }

    [Fact]
    public void A_leaving_owner_hands_its_address_over_at_once()
    {
        var sim = Settled(50, seed: 700);
        var owner = sim.AnsweringOwner(0);
        var left = sim.Now;

        foreach (var datagram in sim.Nodes[owner].Leave())
        {
            sim.Links.Send(sim.Now, owner, sim.IndexOf(datagram.To), datagram.Payload);
        }

        sim.Run(TimeSpan.FromSeconds(5), until: () => sim.AnsweringOwner(0) is var o && o >= 0 && o != owner);

        output.WriteLine($"address moved {(sim.Now - left).TotalMilliseconds} ms after the goodbye");
        Assert.Empty(sim.Violations);
        Assert.True(sim.Now - left < TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void An_ineligible_owner_is_left_out_and_becoming_eligible_again_is_a_join()
    {
        var sim = Settled(50, seed: 800);
        var owner = sim.AnsweringOwner(0);

        sim.Nodes[owner].SetEligible(false);
        sim.Run(TimeSpan.FromSeconds(5), until: () => Enumerable.Range(0, 50).All(n => !sim.Nodes[n].ElectionSet.Contains(sim.Names[owner])) && sim.Settled(Enumerable.Range(0, 50)));
        Assert.NotEqual(owner, sim.AnsweringOwner(0));
        Assert.True(sim.Settled(Enumerable.Range(0, 50)), RingScenarios.Describe(sim));

        sim.Nodes[owner].SetEligible(true);
        sim.Run(TimeSpan.FromSeconds(10), until: () => sim.AnsweringOwner(0) == owner && sim.Settled(Enumerable.Range(0, 50)));

        Assert.Empty(sim.Violations);
        Assert.Equal(owner, sim.AnsweringOwner(0));
    }

    [Fact]
    public void A_restarted_node_rejoins_without_two_answerers()
    {
        var sim = Settled(50, seed: 900);
        var owner = sim.AnsweringOwner(0);

        sim.Crash(owner);
        sim.Run(TimeSpan.FromSeconds(3));
        sim.Restart(owner);
        sim.Run(TimeSpan.FromSeconds(10), until: () => sim.AnsweringOwner(0) == owner && sim.Settled(Enumerable.Range(0, 50)));

        Assert.Empty(sim.Violations);
        Assert.Equal(owner, sim.AnsweringOwner(0));
    }

    private RingSim Settled(int nodes, int seed)
    {
        var sim = new RingSim(nodes, addresses: 32, seed: seed);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(Enumerable.Range(0, nodes)));
        Assert.True(sim.Settled(Enumerable.Range(0, nodes)), RingScenarios.Describe(sim));
        output.WriteLine($"{nodes} nodes settled {sim.Now.TotalMilliseconds} ms after a cold start");
        return sim;
    }
}
