namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// A member takes its share back (it became eligible, or it restarted) while the LAN loses 5% of datagrams. Its share
/// is unanswered from the moment the others apply its alive verdict until its join completes, which needs every
/// member's ack. An ack lost on the way used to be asked for again only after a round (1 s), so one lost datagram cost
/// a second of silence: CI's <c>A_speaker_restarted_with_an_invalid_configuration</c> failed with 0.9 s unanswered
/// after the configuration turned valid (promise 0.5 s), and here 2 of 40 seeds of the first row went 1.2 and 2.4 s.
/// The lab's promise for a rejoin is the bound.
/// </summary>
public sealed class RingRejoinUnderLossTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan StepLength = TimeSpan.FromMilliseconds(10);

    public enum Comeback
    {
        /// <summary>Ineligible (an invalid configuration) and then eligible again: a new generation, the same incarnation.</summary>
        BecomesEligible,

        /// <summary>Crashed, its share moved, then started again: a new incarnation.</summary>
        Restarts,
    }

    [Theory]
    [InlineData(3, Comeback.BecomesEligible)]
    [InlineData(5, Comeback.BecomesEligible)]
    [InlineData(3, Comeback.Restarts)]
    [InlineData(5, Comeback.Restarts)]
    public void A_member_taking_its_share_back_leaves_it_unanswered_briefly_despite_loss(int nodes, Comeback how)
    {
        const int addresses = 16;
        var longest = new List<(int Seed, TimeSpan Unanswered)>();
        for (var seed = 1; seed <= 40; seed++)
        {
            var sim = new RingSim(nodes, addresses, seed);
            var all = Enumerable.Range(0, nodes).ToList();
            const int back = 1;
            var others = all.Where(n => n != back).ToList();
            sim.StartAll();
            sim.Run(TimeSpan.FromSeconds(30), until: () => sim.Settled(all));
            Assert.True(sim.Settled(all), RingScenarios.Describe(sim));

            if (how == Comeback.BecomesEligible)
            {
                sim.Nodes[back].SetEligible(false);
            }
            else
            {
                sim.Crash(back);
            }

            sim.Run(TimeSpan.FromSeconds(10), until: () => sim.Settled(others));
            Assert.True(sim.Settled(others), RingScenarios.Describe(sim));
            sim.Run(TimeSpan.FromSeconds(2));

            sim.Links.Loss = 0.05;
            if (how == Comeback.BecomesEligible)
            {
                sim.Nodes[back].SetEligible(true);
            }
            else
            {
                sim.Restart(back);
            }

            var unanswered = new TimeSpan[addresses];
            var worst = TimeSpan.Zero;
            var end = sim.Now + TimeSpan.FromSeconds(10);
            while (sim.Now < end && !(sim.Nodes[back].Joined && sim.Settled(all) && unanswered.All(u => u == TimeSpan.Zero)))
            {
                sim.Step(StepLength);
                for (var a = 0; a < addresses; a++)
                {
                    unanswered[a] = sim.AnsweringOwner(a) < 0 ? unanswered[a] + StepLength : TimeSpan.Zero;
                    worst = unanswered[a] > worst ? unanswered[a] : worst;
                }
            }

            Assert.Empty(sim.Violations);
            Assert.True(sim.Nodes[back].Joined && sim.Settled(all), $"seed {seed}: node {back} did not take its share back\n{RingScenarios.Describe(sim)}");
            longest.Add((seed, worst));
        }

        var sorted = longest.OrderBy(l => l.Unanswered).ToList();
        output.WriteLine($"{nodes} nodes, {how}, 5% loss: longest unanswered median {sorted[sorted.Count / 2].Unanswered.TotalMilliseconds} ms, "
            + $"max {sorted[^1].Unanswered.TotalMilliseconds} ms (seed {sorted[^1].Seed})");
        var over = longest.Where(l => l.Unanswered > Bound).Select(l => $"seed {l.Seed}: {l.Unanswered.TotalMilliseconds} ms").ToList();
        Assert.True(over.Count == 0, $"unanswered longer than {Bound.TotalMilliseconds} ms: {string.Join(", ", over)}");
    }
}
