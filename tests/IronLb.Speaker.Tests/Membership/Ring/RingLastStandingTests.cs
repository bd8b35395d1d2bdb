namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// Clean stops that leave the survivors at or below half of the member table (a two-node cluster losing one node to a
/// goodbye, or a three-node cluster losing two). The survivors can never fill a majority round, so before the
/// last-standing rule they stayed fenced for as long as the others were gone, answering nothing although every other
/// member had said it left (SpeakerEgressTests stalled on this once in CI). The goodbyes are positive knowledge: the
/// last member standing answers everything, and stops at the first datagram from a later incarnation of a leaver.
/// </summary>
public sealed class RingLastStandingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    public void The_last_member_standing_after_goodbyes_answers_every_address(int nodes, int leaving)
    {
        var sim = Settled(nodes, seed: 40 + nodes);
        var leavers = LeaveInTurn(sim, leaving);
        var survivor = Enumerable.Range(0, nodes).Single(n => !leavers.Contains(n));
        var left = sim.Now;

        sim.Run(TimeSpan.FromSeconds(10), until: () => sim.Settled([survivor]));

        output.WriteLine($"{nodes} nodes, {leaving} goodbyes: the survivor answers every address {(sim.Now - left).TotalMilliseconds} ms after the last");
        Assert.True(sim.Settled([survivor]), RingScenarios.Describe(sim));
        Assert.True(sim.Now - left < TimeSpan.FromMilliseconds(500), $"{(sim.Now - left).TotalMilliseconds} ms");
        Assert.Empty(sim.Violations);

        // And it stays so: nothing in the ring takes the answers away while the others are gone.
        sim.Run(TimeSpan.FromSeconds(30));
        Assert.True(sim.Settled([survivor]), RingScenarios.Describe(sim));
        Assert.Empty(sim.Violations);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void Leavers_coming_back_rejoin_the_last_member_standing_without_two_answerers(int nodes, int leaving)
    {
        var sim = Settled(nodes, seed: 60 + nodes);
        var leavers = LeaveInTurn(sim, leaving);
        var survivor = Enumerable.Range(0, nodes).Single(n => !leavers.Contains(n));
        sim.Run(TimeSpan.FromSeconds(10), until: () => sim.Settled([survivor]));
        Assert.True(sim.Settled([survivor]), RingScenarios.Describe(sim));

        foreach (var leaver in leavers)
        {
            sim.Restart(leaver);
        }

        var all = Enumerable.Range(0, nodes).ToList();
        sim.Run(TimeSpan.FromSeconds(30), until: () => all.All(n => sim.Nodes[n].Joined && sim.Nodes[n].ElectionSet.Length == nodes) && sim.Settled(all));

        Assert.True(all.All(n => sim.Nodes[n].ElectionSet.Length == nodes) && sim.Settled(all), RingScenarios.Describe(sim));
        Assert.Empty(sim.Violations);
    }

    [Fact]
    public void A_datagram_from_a_leaver_s_new_incarnation_ends_the_last_standing_answers_before_it_can_join()
    {
        var sim = Settled(2, seed: 80);
        var leaver = sim.AnsweringOwner(0);
        var survivor = 1 - leaver;
        LeaveNow(sim, leaver);
        sim.Run(TimeSpan.FromSeconds(10), until: () => sim.Settled([survivor]));
        Assert.True(sim.Nodes[survivor].Answering);

        // Restarted, but nothing of it delivered yet: the survivor still answers. Its first datagram stops that.
        sim.Restart(leaver);
        sim.Run(TimeSpan.FromSeconds(5), step: TimeSpan.FromMilliseconds(1), until: () => !sim.Nodes[survivor].Answering);

        Assert.False(sim.Nodes[survivor].Answering);
        Assert.False(sim.Nodes[leaver].Joined);
        Assert.Empty(sim.Violations);
    }

    private static List<int> LeaveInTurn(RingSim sim, int leaving)
    {
        var leavers = new List<int>();
        for (var i = 0; i < leaving; i++)
        {
            // The lowest-numbered nodes leave, a second apart; the last goodbye is sent as this returns.
            var leaver = Enumerable.Range(0, sim.Nodes.Length).First(n => !leavers.Contains(n));
            if (i > 0)
            {
                sim.Run(TimeSpan.FromSeconds(1));
            }

            LeaveNow(sim, leaver);
            leavers.Add(leaver);
        }

        return leavers;
    }

    private static void LeaveNow(RingSim sim, int node)
    {
        foreach (var datagram in sim.Nodes[node].Leave())
        {
            sim.Links.Send(sim.Now, node, sim.IndexOf(datagram.To), datagram.Payload);
        }

        // Stopped: it neither ticks nor reads (Leave already stops both; a crash marks it gone for the invariant too).
        sim.Crash(node);
    }

    private static RingSim Settled(int nodes, int seed)
    {
        var sim = new RingSim(nodes, addresses: 16, seed: seed);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(Enumerable.Range(0, nodes)));
        Assert.True(sim.Settled(Enumerable.Range(0, nodes)), RingScenarios.Describe(sim));
        return sim;
    }
}
