using System.Net;
using System.Net.Sockets;
using IronLb.Testing.Network;
using static IronLb.Testing.Network.Ip;

namespace IronLb.Lab.Tests.Conflicts;

/// <summary>
/// Issue 16, tests 1 to 4, on a lab with a rogue host (a lab host on the external LAN, the kernel answering for it):
/// a new address another host already holds is never answered by IronLB, is reported (event, ServiceL2Status
/// condition, metric, `ironlb status`), and is announced once the host lets it go; a host claiming an address IronLB
/// announces is reported while IronLB keeps answering and defends at most once per defend interval; each for IPv4
/// (RFC 5227 probes, gratuitous ARP) and IPv6 (DAD, unsolicited NA); and a failover between IronLB nodes is no
/// conflict. Times are printed as diagnostics, never asserted (bench conflict measures them).
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class ConflictTests(ConflictLab lab) : IClassFixture<ConflictLab>
{
    /// <summary>The speakers' default: at most one defence per address this often.</summary>
    private static readonly TimeSpan DefendInterval = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("192.0.2.200", "probe4")]
    [InlineData("2001:db8:3a::16:1", "probe6")]
    public async Task A_new_address_another_host_holds_is_never_answered_is_reported_and_is_announced_once_the_host_lets_go(string ip, string tag)
    {
        ConflictLab.RequireTools();
        var (service, host, owner) = ($"conflict-{tag}", $"h{tag}", lab.Owner(ip));
        await using var capture = await NeighbourCapture.StartAsync(lab.Client.Netns, lab.Client.Interface);
        try
        {
            await lab.AddHostAsync(host, ip);
            var rogue = lab.HostMac(host);
            await lab.CreateServiceAsync(service, ip);
            var assigned = await lab.AssignedAsync(service, ip);

            await lab.UntilAsync(async () => (await lab.ConflictEventsAsync(service)).Any(e => e.Message.Contains(ip, StringComparison.Ordinal) && e.Message.Contains(rogue, StringComparison.Ordinal)),
                $"a Warning event {ConflictLab.Event} on {service} naming {ip} and {rogue}", describe: async () => $"events: {string.Join("; ", await lab.EventsAsync(service))}\n{lab.Lab.Logs()}");
            var evented = ConflictLab.Since(assigned);
            await lab.UntilAsync(async () => (await lab.ConditionsAsync(service)).Any(c => c is { Type: ConflictLab.Condition, Status: "True", Reason: "AddressInUse" }),
                $"condition {ConflictLab.Condition} True, AddressInUse, on {service}'s ServiceL2Status", describe: async () => string.Join("; ", await lab.ConditionsAsync(service)));
            var conditioned = ConflictLab.Since(assigned);
            await lab.UntilAsync(async () => await lab.ConflictMetricAsync(owner, ip) == 1, $"ironlb_address_conflicts{{ip=\"{ip}\",interface=\"eno2\"}} 1 on {owner}",
                describe: async () => await lab.MetricsAsync(owner));
            var metered = ConflictLab.Since(assigned);
            await lab.UntilAsync(async () => await lab.IronLbStatusAsync() is var status && status.Contains(ConflictLab.Condition, StringComparison.Ordinal) && status.Contains(ip, StringComparison.Ordinal),
                $"a warning about {ip} in ironlb status", describe: lab.IronLbStatusAsync);
            TestContext.Current.SendDiagnosticMessage($"{ip} held by {rogue}: event {evented}, condition {conditioned}, metric {metered} after the assignment");

            // The conflict stands: asked, only the rogue answers; and nothing from a node ever claimed the address, after its probes.
            for (var i = 0; i < 3; i++)
            {
                var asked = await LanProbe.AskAsync(lab.Client.Netns, lab.Client.Interface, IPAddress.Parse(ip));
                Assert.DoesNotContain(asked.Macs, lab.NodeMacs.Contains);
                Assert.Contains(rogue, asked.Macs);
            }

            Assert.Empty(NodeClaims(capture, ip));
            Assert.Contains(capture.Frames, f => f.Probes(ip) && f.SourceMac == lab.Mac(owner));

            // The host lets go: IronLB announces within its backoff (1 s doubling to 16 s), and the reports clear.
            var released = NeighbourCapture.Now;
            await IpAsync("-n", lab.HostNetns(host), "addr", "del", Cidr(ip), "dev", "lan0");
            await lab.AnsweredByAsync(ip, owner);
            TestContext.Current.SendDiagnosticMessage($"{ip} answered by {owner} {ConflictLab.Since(released)} after the host let go");
            await lab.UntilAsync(async () => (await lab.ConditionsAsync(service)).Any(c => c is { Type: ConflictLab.Condition, Status: "False", Reason: "NoConflict" })
                    && !(await lab.ConditionsAsync(service)).Any(c => c is { Type: ConflictLab.Condition, Status: "True" }),
                $"condition {ConflictLab.Condition} False, NoConflict, on {service}", describe: async () => string.Join("; ", await lab.ConditionsAsync(service)));
            await lab.UntilAsync(async () => await lab.ConflictMetricAsync(owner, ip) == 0, $"the conflict metric for {ip} back to 0 on {owner}", describe: async () => await lab.MetricsAsync(owner));
        }
        finally
        {
            await lab.DeleteServiceAsync(service);
            await lab.DeleteHostAsync(host);
        }
    }

    [Theory]
    [InlineData("192.0.2.201", "claim4")]
    [InlineData("2001:db8:3a::16:2", "claim6")]
    public async Task A_host_claiming_an_announced_address_is_reported_while_ironlb_keeps_answering_and_defends_at_most_once_per_interval(string ip, string tag)
    {
        ConflictLab.RequireTools();
        var (service, host, owner) = ($"conflict-{tag}", $"h{tag}", lab.Owner(ip));
        await using var capture = await NeighbourCapture.StartAsync(lab.Client.Netns, lab.Client.Interface);
        try
        {
            await lab.CreateServiceAsync(service, ip);
            await lab.AssignedAsync(service, ip);
            await lab.AnsweredByAsync(ip, owner);
            // The owner's own announcements after winning the address (a burst of gratuitous ARP / NA) end first, so
            // what it sends for the address after the claims start is a defence.
            await lab.UntilAsync(() => Task.FromResult(NeighbourCapture.Now - LastAnnouncement(capture, ip, lab.Mac(owner)) > 3),
                $"{owner}'s announcements of {ip} over for 3 s");

            await lab.AddHostAsync(host, ip);
            var rogue = lab.HostMac(host);
            var claimed = NeighbourCapture.Now;
            // 10 claims over 4.5 s: well within one defend interval.
            await AddressClaims.SendAsync(lab.HostNetns(host), "lan0", rogue, ip, count: 10, TimeSpan.FromMilliseconds(500));
            var lastClaim = NeighbourCapture.Now;

            await lab.UntilAsync(async () => (await lab.ConflictEventsAsync(service)).Any(e => e.Message.Contains(ip, StringComparison.Ordinal) && e.Message.Contains(rogue, StringComparison.Ordinal)),
                $"a Warning event {ConflictLab.Event} on {service} naming {ip} and {rogue}", describe: async () => $"events: {string.Join("; ", await lab.EventsAsync(service))}\n{lab.Lab.Logs()}");
            TestContext.Current.SendDiagnosticMessage($"{ip} claimed by {rogue}: event {ConflictLab.Since(claimed)} after the first claim");
            await lab.UntilAsync(async () => (await lab.ConditionsAsync(service)).Any(c => c is { Type: ConflictLab.Condition, Status: "True", Reason: "AddressClaimed" }),
                $"condition {ConflictLab.Condition} True, AddressClaimed, on {service}", describe: async () => string.Join("; ", await lab.ConditionsAsync(service)));
            await lab.UntilAsync(async () => await lab.ConflictMetricAsync(owner, ip) == 1, $"the conflict metric for {ip} at 1 on {owner}", describe: async () => await lab.MetricsAsync(owner));
            await lab.UntilAsync(async () => await lab.IronLbStatusAsync() is var status && status.Contains(ConflictLab.Condition, StringComparison.Ordinal) && status.Contains(ip, StringComparison.Ordinal),
                $"a warning about {ip} in ironlb status", describe: lab.IronLbStatusAsync);

            // A claim takes nothing away: the owner still answers.
            await lab.AnsweredByAsync(ip, owner);

            // Defences: the owner's announcements of the address from the first claim until a second after the last.
            var claims = capture.Frames.Count(f => f.Time >= claimed && f.SourceMac == rogue && f.Announces(ip));
            var defences = capture.Frames.Where(f => f.Time >= claimed && f.Time <= lastClaim + 1 && f.SourceMac == lab.Mac(owner) && f.Announces(ip)).ToList();
            TestContext.Current.SendDiagnosticMessage($"{claims} claims of {ip} in {lastClaim - claimed:F1} s, {defences.Count} defences by {owner}");
            Assert.Equal(10, claims);
            Assert.InRange(defences.Count, 1, 1 + (int)((lastClaim - claimed + 1) / DefendInterval.TotalSeconds) + 1);
        }
        finally
        {
            await lab.DeleteServiceAsync(service);
            await lab.DeleteHostAsync(host);
        }
    }

    [Fact]
    public async Task A_failover_between_ironlb_nodes_is_no_conflict_and_is_not_probed()
    {
        ConflictLab.RequireTools();
        // web/gateway, from the example: its addresses move on a kill and come back on the restart.
        string[] addresses = ["192.0.2.184", "2001:db8:3a::443"];
        var order = lab.Nodes.OrderBy(n => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{n}#{addresses[0]}"))), StringComparer.Ordinal).ToList();
        var (owner, next) = (order[0], order[1]);
        await using var capture = await NeighbourCapture.StartAsync(lab.Client.Netns, lab.Client.Interface);
        await lab.AnsweredByAsync(addresses[0], owner);

        var killed = NeighbourCapture.Now;
        await lab.Lab.OkAsync("kill-speaker", "--node", owner);
        foreach (var ip in addresses)
        {
            await lab.AnsweredByAsync(ip, next);
        }

        var tookOver = NeighbourCapture.Now;
        TestContext.Current.SendDiagnosticMessage($"gateway answered by {next} {tookOver - killed:F2} s after kill -9 of {owner}'s speaker (bench failover measures it)");
        // Failover never waits for a probe: the new owner announced at once.
        Assert.DoesNotContain(capture.Frames, f => f.Time >= killed && f.Time <= tookOver && addresses.Any(f.Probes) && lab.NodeMacs.Contains(f.SourceMac));

        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        foreach (var ip in addresses)
        {
            await lab.AnsweredByAsync(ip, owner);
        }

        // Both hand-overs' last replies and announcements came from IronLB nodes: none of it is a conflict. The
        // speakers report a claim within seconds (test 2); a few more seconds of looking finds nothing here.
        var quietUntil = NeighbourCapture.Now + 5;
        await lab.UntilAsync(() => Task.FromResult(NeighbourCapture.Now > quietUntil), "five seconds of looking");
        Assert.Empty(await lab.ConflictEventsAsync("gateway", "web"));
        Assert.DoesNotContain(await lab.ConditionsAsync("gateway", "web"), c => c is { Type: ConflictLab.Condition, Status: "True" });
        foreach (var node in lab.Nodes)
        {
            Assert.Contains("# TYPE", await lab.MetricsAsync(node), StringComparison.Ordinal);
            foreach (var ip in addresses)
            {
                Assert.True(await lab.ConflictMetricAsync(node, ip) is null or 0, $"{node} counts a conflict on {ip}: {await lab.MetricsAsync(node)}");
            }
        }
    }

    /// <summary>Frames in which an IronLB node said it has <paramref name="ip"/> (a reply, a gratuitous ARP, an advertisement).</summary>
    private IEnumerable<NeighbourFrame> NodeClaims(NeighbourCapture capture, string ip) =>
        capture.Frames.Where(f => f.Claims(ip) && lab.NodeMacs.Contains(f.SourceMac));

    private static double LastAnnouncement(NeighbourCapture capture, string ip, string mac) =>
        capture.Frames.Where(f => f.SourceMac == mac && f.Announces(ip)).Select(f => f.Time).DefaultIfEmpty(0).Max();

    private static string Cidr(string ip) => IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetworkV6 ? $"{ip}/64" : $"{ip}/24";
}
