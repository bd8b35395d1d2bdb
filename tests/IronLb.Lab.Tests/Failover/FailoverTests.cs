using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Failover;

/// <summary>
/// The speaker's failover end to end in the lab (three node namespaces, KubeSim, the controller and three real
/// `ironlb speaker` processes): the client already talks to the announcing node, that node goes away, and the
/// client's neighbour entries move to the next node in the election order by gratuitous ARP and unsolicited
/// NA alone — the client sends nothing. How fast is measured by `bench failover`, not asserted here.
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class FailoverTests(FailoverLab lab) : IClassFixture<FailoverLab>
{
    [Fact]
    public async Task Kill_9_of_the_announcing_speaker_moves_the_address_to_the_next_node()
    {
        Requirements.RootAndTools();
        await lab.HealthyAsync();
        var (owner, next) = (lab.Order[0], lab.Order[1]);
        await lab.StatusOnAsync(owner);
        await lab.PinNeighboursAsync(owner);

        await lab.Lab.OkAsync("kill-speaker", "--node", owner);

        await lab.NeighboursMoveToAsync(next, $"kill -9 of {owner}'s speaker");
        await lab.AnsweredByAsync(next);
        await lab.StatusOnAsync(next);

        // Restarted, the node wins the address back once the others hear it again.
        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        await lab.NeighboursMoveToAsync(owner, $"{owner}'s speaker restarting");
        await lab.StatusOnAsync(owner);
    }

    [Fact]
    public async Task Cutting_the_announcing_node_off_the_network_moves_the_address()
    {
        Requirements.RootAndTools();
        await lab.HealthyAsync();
        var (owner, next) = (lab.Order[0], lab.Order[1]);
        await lab.PinNeighboursAsync(owner);

        // Its speaker keeps running, but nobody hears it: the other two agree it is gone.
        await lab.CutLinksAsync(owner);

        await lab.NeighboursMoveToAsync(next, $"cutting {owner}'s links");
        await lab.AnsweredByAsync(next);
        await lab.StatusOnAsync(next);
        Assert.NotNull(await lab.SpeakerPidAsync(owner));
    }

    [Fact]
    public async Task A_clean_shutdown_says_goodbye_and_the_address_moves()
    {
        Requirements.RootAndTools();
        await lab.HealthyAsync();
        var (owner, next) = (lab.Order[0], lab.Order[1]);
        await lab.PinNeighboursAsync(owner);
        var pid = await lab.SpeakerPidAsync(owner);
        Assert.NotNull(pid);

        await CheckAsync("kill", "-TERM", pid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await lab.NeighboursMoveToAsync(next, $"{owner}'s speaker shutting down");
        await lab.AnsweredByAsync(next);
        await lab.StatusOnAsync(next);
        var log = await File.ReadAllTextAsync(Path.Combine(lab.Lab.StateDirectory, $"speaker-{next}.log"), TestContext.Current.CancellationToken);
        Assert.Contains($"excluded: {owner} Left", log, StringComparison.Ordinal);

        // And the process ends: the next test must not find it still shutting down and take it for running.
        await WaitForAsync(async () => await lab.SpeakerPidAsync(owner) is null, $"{owner}'s speaker (pid {pid}) exiting after SIGTERM", FailoverLab.Deadline);
    }

    [Fact]
    public async Task Five_percent_heartbeat_loss_for_a_minute_changes_no_ownership()
    {
        FailoverLab.RequireNftables();
        await lab.HealthyAsync();
        var owner = lab.Order[0];
        await lab.StatusOnAsync(owner);

        // Settle first: a previous test's restart may still be warming up or finishing its gratuitous bursts.
        await lab.QuietAsync(TimeSpan.FromSeconds(5));
        var before = lab.OwnershipLogLines();
        var statuses = await lab.StatusNodesAsync();

        await lab.HeartbeatLossAsync(5);
        await Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var dropped = await lab.DroppedHeartbeatsAsync();

        var after = lab.OwnershipLogLines();
        Assert.True(dropped > 50, $"the loss rules dropped only {dropped} heartbeats; the test did not test anything");
        Assert.True(after.Count == before.Count, "ownership or membership changed under 5% loss:\n" + string.Join('\n', after.Skip(before.Count)));
        Assert.Equal(statuses, await lab.StatusNodesAsync());
        await lab.AnsweredByAsync(owner);
    }
}
