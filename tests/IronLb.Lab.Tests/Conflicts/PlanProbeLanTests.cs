using System.Text.Json;
using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.Tests.Down;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Conflicts;

/// <summary>
/// Issue 16, test 5: the real `ironlb plan --probe` from the external client of a lab (MiniLab: the lab's LANs and
/// one node, no speakers, so no IronLB answers anything) on whose external LAN two lab hosts hold two of the
/// addresses examples/lab plans. It lists exactly those two, each with its host's MAC. examples/lab only: its
/// addresses are documentation prefixes (never examples/campus, whose are real).
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class PlanProbeLanTests
{
    [Fact]
    public async Task Plan_probe_lists_exactly_the_addresses_other_hosts_hold_with_their_macs_and_exits_1()
    {
        Requirements.RootAndTools();
        var name = LabCli.NewName();
        var names = LabNames.Create(name);
        var ct = TestContext.Current.CancellationToken;
        try
        {
            var plan = await MiniLab.BuildAsync(name, MiniLab.Dead, ct);
            var session = (await LabSession.OpenAsync(names, MiniLab.StateRoot, ct))!;
            // mail/smtpout's IPv4 address, and the IPv6 address mail/imap and mail/webmail share.
            Assert.Equal(LabExit.Ok, await HostOperations.AddAsync(session, "holdera", LabPlan.External, ["192.0.2.193"]));
            Assert.Equal(LabExit.Ok, await HostOperations.AddAsync(session, "holderb", LabPlan.External, ["2001:db8:3a::143"]));
            var macA = HostPlanner.Mac(name, "holdera");
            var macB = HostPlanner.Mac(name, "holderb");
            var client = plan.Clients.Single(c => c.Lan == LabPlan.External);

            var table = await ProbeAsync(client, "table");
            Assert.True(table.ExitCode == 1, $"plan --probe exited {table.ExitCode}: {table.Stderr}\n{table.Stdout}");
            var section = table.Stdout.ReplaceLineEndings("\n").Split('\n')
                .SkipWhile(l => l != $"IN USE ON {client.Interface.Name}").Skip(2).TakeWhile(l => l.Length > 0).ToList();
            Assert.Equal(2, section.Count);
            // In the plan's order of Services: mail/imap comes before mail/smtpout.
            Assert.Matches($@"^2001:db8:3a::143\s+{macB}\s+mail/imap,mail/webmail$", section[0]);
            Assert.Matches($@"^192\.0\.2\.193\s+{macA}\s+mail/smtpout$", section[1]);

            var json = await ProbeAsync(client, "json");
            Assert.Equal(1, json.ExitCode);
            using var doc = JsonDocument.Parse(json.Stdout);
            var inUse = doc.RootElement.GetProperty("probe").EnumerateArray().Where(p => p.GetProperty("inUse").GetBoolean())
                .Select(p => $"{p.GetProperty("address").GetString()} {string.Join(',', p.GetProperty("macs").EnumerateArray().Select(m => m.GetString()))}");
            Assert.Equal([$"2001:db8:3a::143 {macB}", $"192.0.2.193 {macA}"], inUse);
            Assert.Equal(10, doc.RootElement.GetProperty("probe").GetArrayLength());
        }
        finally
        {
            await DownOperation.RunAsync(names, MiniLab.StateRoot, keepLogs: false, CancellationToken.None);
        }
    }

    private static async Task<ProcessResult> ProbeAsync(ClientPlan client, string output)
    {
        var ironlb = Executables.FindIronLb(null, out var searched) ?? throw new InvalidOperationException($"no ironlb built (looked at {searched})");
        return await ProcessRunner.RunAsync("ip", ["netns", "exec", client.Namespace, .. ironlb, "plan", "--probe", client.Interface.Name, "-o", output, RepoPaths.ExampleLab]);
    }
}
