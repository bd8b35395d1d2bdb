using IronLb.Networking.Conflicts;
using IronLb.Networking.Packets;
using IronLb.Networking.Tests.Network;
using IronLb.Networking.Tests.Packets;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.Network.Ip;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Networking.Tests.Conflicts;

/// <summary>
/// Conflict detection with the Linux kernel as the other host: <see cref="LanProber"/> and the announcer's claim
/// reports and defence, run by the TestHost inside node namespaces of a topology of their own ("hnet-" names).
/// One class, so its tests run one at a time on this small machine.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class ConflictKernelPeerTests
{
    private const string ExtV4 = "192.0.2.100";
    private const string ExtV6 = "2001:db8:2::100";

    [Fact]
    public async Task The_prober_finds_addresses_a_peer_holds_and_none_where_the_lan_is_free()
    {
        Requirements.RootAndTools();
        await using var t = await CreateLanAsync();
        await IpAsync("-n", t.Client, "addr", "add", "192.0.2.77/24", "dev", "ext0");
        await IpAsync("-n", t.Client, "addr", "add", "2001:db8:2::77/64", "dev", "ext0", "nodad"); // not tentative: it answers DAD at once
        var peer = await t.MacTextAsync(t.Client, "ext0");

        var outcomes = await ProbeAsync(t, 1, "eno2", "192.0.2.77", "192.0.2.78", "2001:db8:2::77", "2001:db8:2::78");
        Assert.Equal(
            [$"outcome 192.0.2.77 {peer}", "outcome 192.0.2.78 -", $"outcome 2001:db8:2::77 {peer}", "outcome 2001:db8:2::78 -"],
            outcomes);

        // A missing interface is an outcome with the reason, and the process ends normally.
        Assert.Equal(["outcome 192.0.2.77 error interface eno9 not found"], await ProbeAsync(t, 1, "eno9", "192.0.2.77"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Claims_by_a_peer_reach_the_observer_and_requests_are_still_answered(bool kernel)
    {
        Requirements.RootAndTools();
        await using var t = await CreateLanAsync();
        string[] options = kernel ? ["--burst-ms", "0"] : ["--burst-ms", "0", "--no-kernel"];
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), options));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        Assert.Equal(kernel ? ["eno2/arp", "eno2/ndp"] : [], (await node1.KernelRespondersAsync()).Where(r => r.StartsWith("eno2/", StringComparison.Ordinal)));
        await node1.SendAsync($"announce {ExtV4} eno2");
        await node1.SendAsync($"announce {ExtV6} eno2");
        var mac1 = await t.MacTextAsync(t.Node(1), "eno2");
        var rogue = await t.MacTextAsync(t.Node(2), "eno2");
        var client = await t.MacTextAsync(t.Client, "ext0");

        // Node 2 plays a host configured with the address by mistake: it announces it with arping, the kernel's way.
        await IpAsync("-n", t.Node(2), "addr", "add", $"{ExtV4}/24", "dev", "eno2");
        await CheckAsync("ip", "netns", "exec", t.Node(2), "arping", "-U", "-c", "1", "-I", "eno2", ExtV4);
        await WaitForClaimAsync(node1, $"ArpAnnouncement/{ExtV4}/{rogue}/eno2");
        await CheckAsync("ip", "netns", "exec", t.Node(2), "arping", "-A", "-c", "1", "-I", "eno2", ExtV4);
        await WaitForClaimAsync(node1, $"ArpReply/{ExtV4}/{rogue}/eno2");
        Assert.Equal(0, (await node1.DropsAsync()).GetValueOrDefault("None")); // neither was answered

        // A client's request is still answered by node 1, in the kernel when it is on.
        await IpAsync("-n", t.Node(2), "addr", "del", $"{ExtV4}/24", "dev", "eno2");
        Assert.Equal([mac1], (await LanProbe.ArpingAsync(t.Client, "ext0", ExtV4, count: 1)).Replies);

        // IPv6: the same host starts Duplicate Address Detection for the address (the kernel's own probe) ...
        await CheckAsync("ip", "netns", "exec", t.Node(2), "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/eno2/accept_dad");
        await IpAsync("-n", t.Node(2), "addr", "add", $"{ExtV6}/64", "dev", "eno2");
        await WaitForClaimAsync(node1, $"DadProbe/{ExtV6}/{rogue}/eno2");
        // Its DAD ends after a second and the address then answers too: on a loaded machine the steps below took longer
        // than that, and the client heard the rogue first. The claim is what this part is about, so take the address away.
        await IpAsync("-n", t.Node(2), "addr", "del", $"{ExtV6}/64", "dev", "eno2");

        // ... and another sends an unsolicited advertisement with Override for it.
        var na = Frames.Na(target: ExtV6, ethSrc: MacAddress.Parse(client));
        var r = await CheckAsync("ip", ["netns", "exec", t.Client, "dotnet", HostProcess.TestHostDll, "inject", "ext0", Convert.ToHexString(na)]);
        Assert.Contains("ready inject 1", r, StringComparison.Ordinal);
        await WaitForClaimAsync(node1, $"NeighborAdvertisement/{ExtV6}/{client}/eno2");
        var advertised = await LanProbe.Ndisc6Async(t.Client, "ext0", ExtV6);
        Assert.True(advertised.SequenceEqual([mac1]), $"advertisements from [{string.Join(", ", advertised)}]; node 1 is {mac1}, the rogue {rogue}, the client {client}");
    }

    [Fact]
    public async Task A_watched_address_reports_a_probe_for_it()
    {
        Requirements.RootAndTools();
        await using var t = await CreateLanAsync();
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), "--burst-ms", "0"));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await node1.SendAsync("watch 192.0.2.150 2001:db8:2::150");
        var node2 = await t.MacTextAsync(t.Node(2), "eno2");

        // Node 2 probes for both addresses with LanProber, as a speaker would before announcing them.
        Assert.Equal(["outcome 192.0.2.150 -", "outcome 2001:db8:2::150 -"], await ProbeAsync(t, 2, "eno2", "192.0.2.150", "2001:db8:2::150"));
        await WaitForClaimAsync(node1, $"ArpProbe/192.0.2.150/{node2}/eno2");
        await WaitForClaimAsync(node1, $"DadProbe/2001:db8:2::150/{node2}/eno2");
    }

    [Fact]
    public async Task Defend_sends_exactly_one_round_and_a_second_within_the_second_sends_nothing()
    {
        Requirements.RootAndTools();
        await using var t = await CreateLanAsync();
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), "--burst-ms", "0"));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await node1.SendAsync($"announce {ExtV4} eno2");
        var mac1 = await t.MacTextAsync(t.Node(1), "eno2");

        // The announcement's own round went out before the capture starts.
        var capture = t.Own(await Capture.StartAsync(t.Client, "ext0", "arp", outboundOnly: false));
        Assert.Equal("ready defend 2", await node1.SendAsync($"defend {ExtV4} eno2"));
        Assert.Equal("ready defend 0", await node1.SendAsync($"defend {ExtV4} eno2"));
        Assert.Equal("ready defend 0", await node1.SendAsync($"defend {ExtV4} eno3")); // not announced there

        // A request and its answer cross the same LAN after the defence, so the capture has seen all of it.
        Assert.Equal([mac1], (await LanProbe.ArpingAsync(t.Client, "ext0", ExtV4, count: 1)).Replies);
        // Broadcast ARP from node 1: its gratuitous frames, the defence's.
        var output = await capture.StopAsync();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains($"{mac1} > ff:ff:ff:ff:ff:ff", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 2, $"expected the two frames of one round, captured:\n{output}");
        Assert.Single(lines, l => l.Contains($"Request who-has {ExtV4} ", StringComparison.Ordinal) && l.Contains($"tell {ExtV4},", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains($"Reply {ExtV4} is-at {mac1}", StringComparison.Ordinal));
    }

    /// <summary>The shared topology under names of our own (the creating process's id follows the prefix).</summary>
    private static Task<LanTopology> CreateLanAsync() => LanTopology.CreateAsync("hnet-", "2001:db8:2::", "2001:db8:3::");

    /// <summary>LanProber in node <paramref name="node"/>'s namespace, default settings: its "outcome" lines.</summary>
    private static async Task<string[]> ProbeAsync(LanTopology t, int node, string device, params string[] addresses)
    {
        var output = await CheckAsync("ip", ["netns", "exec", t.Node(node), "dotnet", HostProcess.TestHostDll, "probe", device, .. addresses]);
        Assert.Contains($"ready probe {addresses.Length}", output, StringComparison.Ordinal);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("outcome ", StringComparison.Ordinal))];
    }

    private static async Task WaitForClaimAsync(HostProcess host, string claim) =>
        await WaitForAsync(
            async () => (await ClaimsAsync(host)).Contains(claim),
            $"claim {claim}",
            describe: async () => string.Join(' ', await ClaimsAsync(host)));

    private static async Task<string[]> ClaimsAsync(HostProcess host) =>
        (await host.SendAsync("claims")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];

    private static async Task WaitForRespondersAsync(HostProcess host, params string[] expected) =>
        await WaitForAsync(async () => expected.All((await host.RespondersAsync()).Contains), $"responders {string.Join(',', expected)}");
}
