using IronLb.KubeSim.Tests.Support;

namespace IronLb.KubeSim.Tests.Kubectl;

public sealed class KubectlBasicsTests
{
    [Fact]
    public async Task Version_reports_minor_32_so_the_dispatcher_runs_kubectl_1_32()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);

        var output = await kubectl.OkAsync("version");

        Assert.Contains("Server Version: v1.32.0", output);
    }
}
