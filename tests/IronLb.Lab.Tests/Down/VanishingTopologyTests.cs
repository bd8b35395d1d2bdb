using IronLb.Lab.Operations;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Lab.Topology;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Down;

/// <summary>
/// `down` while the kernel removes the lab's links on its own. Deleting a namespace hands its veths to the kernel's
/// delayed cleanup, which also takes their peers (the host link, bridge ports) a moment later: exactly when `down`
/// looks for them and deletes them. Whatever was already gone, or goes meanwhile, counts as removed.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class VanishingTopologyTests
{
    private const int Rounds = 50;

    [Fact]
    public async Task Down_at_once_after_a_namespace_is_deleted_succeeds_and_leaves_nothing_every_time()
    {
        Requirements.RootAndTools();
        var name = LabCli.NewName();
        var names = LabNames.Create(name);
        var ct = TestContext.Current.CancellationToken;
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var plan = await MiniLab.BuildAsync(name, MiniLab.Dead, ct);
                // Every namespace in turn: the lan one (its end of the host link vanishes with it), a client's, a node's.
                var namespaces = plan.Namespaces().ToList();
                var victim = namespaces[round % namespaces.Count];
                await CheckAsync("ip", "netns", "del", victim);

                var exit = await DownOperation.RunAsync(names, MiniLab.StateRoot, keepLogs: false, ct);

                Assert.True(exit == LabExit.Ok, $"round {round} ({victim} deleted first): down exited {exit}");
                Assert.True((await MiniLab.LeftAsync(name)) is [], $"round {round} ({victim} deleted first) left: {string.Join(", ", await MiniLab.LeftAsync(name))}");
            }
        }
        finally
        {
            await DownOperation.RunAsync(names, MiniLab.StateRoot, keepLogs: false, CancellationToken.None);
        }
    }
}
