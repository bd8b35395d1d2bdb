using IronLb.Lab.Operations;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Down;

/// <summary>
/// Labs of which nothing runs (a crashed `up`, a failed `down`) must not hold the four management /26s for ever:
/// when none is free, `up` removes such leftovers, keeping their logs, and takes a slice.
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class LeftoverLabTests
{
    [Fact]
    public async Task Up_reclaims_the_slices_of_leftover_labs_when_no_slice_is_free()
    {
        Requirements.RootAndTools();
        var ct = TestContext.Current.CancellationToken;
        var leftovers = new List<string>();
        try
        {
            // Every slice that is free now gets a leftover (a lab running beside the tests keeps its own).
            while (ManagementSubnets.Choose(null, await ManagementSubnets.InUseAsync(MiniLab.StateRoot, lab => lab, ct), out _) is not null)
            {
                var name = LabCli.NewName();
                leftovers.Add(name);
                await MiniLab.BuildAsync(name, MiniLab.Dead, ct);
            }

            await using var lab = new LabCli();
            var up = await lab.RunAsync("up", "--nodes", "1");
            Assert.True(up.ExitCode == 0, $"up: {up}\n{lab.Logs()}");
            Assert.All(leftovers, name => Assert.Contains($"from lab {name}, a leftover of which nothing runs", up.Output, StringComparison.Ordinal));
            foreach (var name in leftovers)
            {
                Assert.Equal([$"directory /run/ironlb-lab/{name}"], await MiniLab.LeftAsync(name));
                Assert.False(File.Exists($"/run/ironlb-lab/{name}/state.json"), $"{name}'s state.json still claims its slice");
            }

            Assert.Equal(0, (await lab.DownAsync()).ExitCode);
        }
        finally
        {
            foreach (var name in leftovers)
            {
                await DownOperation.RunAsync(LabNames.Create(name), MiniLab.StateRoot, keepLogs: false, CancellationToken.None);
            }
        }
    }
}
