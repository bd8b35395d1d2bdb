using IronLb.Lab.Operations;
using IronLb.Lab.Tests.Down;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Lab.Topology;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Hosts;

/// <summary>
/// `host add` and `host del` on a lab made as `up` makes it (MiniLab: no processes, so about a second): the host is a
/// real machine on its LAN (the client reaches its address at its MAC), has no route out, `host del` removes it,
/// and `down` removes whatever hosts are left.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class LabHostTests
{
    [Fact]
    public async Task A_host_answers_on_its_lan_with_its_mac_and_del_and_down_remove_it()
    {
        Requirements.RootAndTools();
        var name = LabCli.NewName();
        var names = LabNames.Create(name);
        var ct = TestContext.Current.CancellationToken;
        try
        {
            var plan = await MiniLab.BuildAsync(name, MiniLab.Dead, ct);
            var session = (await LabSession.OpenAsync(names, MiniLab.StateRoot, ct))!;

            Assert.Equal(LabExit.Ok, await HostOperations.AddAsync(session, "rogue", "external", ["192.0.2.190", "2001:db8:3a::190"]));
            Assert.Equal(LabExit.Ok, await HostOperations.AddAsync(session, "printer", "office", ["198.51.100.200"]));
            Assert.Equal(LabExit.Usage, await HostOperations.AddAsync(session, "rogue", "external", []));

            var rogue = names.HostNamespace("rogue");
            var mac = HostPlanner.Mac(name, "rogue");
            Assert.Equal(mac, await TopologySweeper.MacAsync(rogue, LabNames.HostInterface));
            var client = plan.Clients.Single(c => c.Lan == LabPlan.External);
            var arping = await RunAsync("ip", "netns", "exec", client.Namespace, "arping", "-c", "1", "-w", "5", "-I", client.Interface.Name, "192.0.2.190");
            Assert.True(arping.ExitCode == 0, $"arping: {arping}");
            Assert.Contains(mac, arping.Stdout, StringComparison.OrdinalIgnoreCase);
            var ndisc = await RunAsync("ip", "netns", "exec", client.Namespace, "ndisc6", "-1", "-r", "3", "2001:db8:3a::190", client.Interface.Name);
            Assert.True(ndisc.ExitCode == 0, $"ndisc6: {ndisc}");
            Assert.Contains(mac, ndisc.Stdout, StringComparison.OrdinalIgnoreCase);
            // Connected routes only: nothing the host sends leaves its LAN.
            Assert.DoesNotContain("default", await CheckAsync("ip", "-n", rogue, "route", "show"), StringComparison.Ordinal);
            Assert.DoesNotContain("default", await CheckAsync("ip", "-n", rogue, "-6", "route", "show"), StringComparison.Ordinal);

            var reopened = (await LabSession.OpenAsync(names, MiniLab.StateRoot, ct))!;
            Assert.Equal(["rogue", "printer"], reopened.State.Hosts.Select(h => h.Name));
            Assert.Equal(LabExit.Ok, await HostOperations.DeleteAsync(reopened, "rogue"));
            Assert.False(TopologySweeper.NamespaceExists(rogue), $"{rogue} is still there after host del");
            Assert.Equal(LabExit.Failed, await HostOperations.DeleteAsync(reopened, "rogue"));
            Assert.Equal(["printer"], (await LabSession.OpenAsync(names, MiniLab.StateRoot, ct))!.State.Hosts.Select(h => h.Name));
            Assert.True(TopologySweeper.NamespaceExists(names.HostNamespace("printer")));

            Assert.Equal(LabExit.Ok, await DownOperation.RunAsync(names, MiniLab.StateRoot, keepLogs: false, ct));
            Assert.Empty(await MiniLab.LeftAsync(name));
        }
        finally
        {
            await DownOperation.RunAsync(names, MiniLab.StateRoot, keepLogs: false, CancellationToken.None);
        }
    }
}
