using IronLb.Testing.Network;
using System.Diagnostics;
using IronLb.Networking.Packets;
using IronLb.Networking.Tests.Packets;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.Network.Ip;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Networking.Tests.Network;

/// <summary>
/// The Linux kernel as the peer: arping, ndisc6, ip neigh and tcpdump in a client namespace against the real
/// announcer (TestHost) in node namespaces. One class, so its tests run one at a time on this small machine.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class KernelPeerTests
{
    private const string ExtV4 = "192.0.2.100";
    private const string ExtV6 = "2001:db8:2::100";
    private const string OfcV4 = "198.51.100.100";
    private const string OfcV6 = "2001:db8:3::100";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Arping_and_ndisc6_get_exactly_one_answer_from_the_announcing_nodes_eno2(bool kernel)
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        string[] options = kernel ? ["--burst-ms", "0"] : ["--burst-ms", "0", "--no-kernel"];
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), options));
        var node2 = t.Own(await HostProcess.StartAsync(t.Node(2), options));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await WaitForRespondersAsync(node2, "eno2/arp", "eno2/ndp");
        // Which path answers is what this row is about: the kernel's tc programs, or the userspace responders.
        string[] inKernel = kernel ? ["eno2/arp", "eno2/ndp"] : [];
        Assert.Equal(inKernel, (await node1.KernelRespondersAsync()).Where(r => r.StartsWith("eno2/", StringComparison.Ordinal)));
        Assert.Equal(inKernel, (await node2.KernelRespondersAsync()).Where(r => r.StartsWith("eno2/", StringComparison.Ordinal)));
        await node1.SendAsync($"announce {ExtV4} eno2");
        await node1.SendAsync($"announce {ExtV6} eno2");
        var mac = await t.MacAsync(t.Node(1), "eno2");

        var (sent, arp) = await ArpingProbesAsync(t, "ext0", ExtV4, count: 3);
        Assert.Equal(3, sent);
        Assert.Equal([mac, mac, mac], arp); // three probes, three replies (not more), all from node1's eno2
        var ndp = await Ndisc6Async(t, "ext0", ExtV6);
        Assert.Equal([mac], ndp);

        // Three ARP replies and one NA, counted alike whichever path sent them.
        Assert.Equal(4, (await node1.DropsAsync()).GetValueOrDefault("None"));
        var drops = await node2.DropsAsync();
        Assert.False(drops.ContainsKey("None"), "node2 must not answer");
        Assert.True(drops.GetValueOrDefault("NotOwned") >= 1, "node2 saw the requests and dropped them as not owned");
    }

    [Theory]
    [InlineData("net_raw,net_admin,bpf", true)]
    [InlineData("net_raw", false)]
    public async Task The_kernel_path_needs_bpf_and_net_admin_and_without_them_userspace_answers(string capabilities, bool kernel)
    {
        // What deploy/speaker.yaml grants (NET_RAW, NET_ADMIN, BPF) and what MetalLB's speaker has (NET_RAW).
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node1 = t.Own(await HostProcess.StartWithCapabilitiesAsync(t.Node(1), capabilities.Split(','), "--burst-ms", "0"));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await node1.SendAsync($"announce {ExtV4} eno2");
        Assert.Equal(kernel ? ["eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp"] : [], await node1.KernelRespondersAsync());
        Assert.Equal([await t.MacAsync(t.Node(1), "eno2")], await ArpingAsync(t, "ext0", ExtV4, count: 1));
        Assert.Equal(1, (await node1.DropsAsync()).GetValueOrDefault("None"));
        if (!kernel)
        {
            Assert.Contains("needs CAP_BPF and CAP_NET_ADMIN", node1.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_killed_announcer_answers_nothing_afterwards()
    {
        // The kernel's programs must not outlive the process that announced: they are attached through
        // links the process holds, which the kernel releases when it dies, however it dies.
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node1 = await StartAnnouncingOnEno2Async(t);
        Assert.Equal(["eno2/arp", "eno2/ndp"], (await node1.KernelRespondersAsync()).Where(r => r.StartsWith("eno2/", StringComparison.Ordinal)));
        var mac = await t.MacAsync(t.Node(1), "eno2");
        Assert.Equal([mac], await ArpingAsync(t, "ext0", ExtV4, count: 1));
        Assert.Equal([mac], await Ndisc6Async(t, "ext0", ExtV6));

        await node1.KillAsync();
        Assert.Empty(await ArpingAsync(t, "ext0", ExtV4, count: 2));
        Assert.Empty(await Ndisc6Async(t, "ext0", ExtV6));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Answers_stop_once_the_deadline_passes_and_resume_when_it_is_refreshed(bool kernel)
    {
        // What a frozen speaker looks like from the LAN: its last refresh passes and nothing answers, neither
        // the tc program nor the userspace responder it hands the request on to.
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        string[] options = kernel ? ["--burst-ms", "0"] : ["--burst-ms", "0", "--no-kernel"];
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), options));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        string[] inKernel = kernel ? ["eno2/arp", "eno2/ndp"] : [];
        Assert.Equal(inKernel, (await node1.KernelRespondersAsync()).Where(r => r.StartsWith("eno2/", StringComparison.Ordinal)));
        await node1.SendAsync("deadline 600000");
        await node1.SendAsync($"announce {ExtV4} eno2");
        await node1.SendAsync($"announce {ExtV6} eno2");
        var mac = await t.MacAsync(t.Node(1), "eno2");
        Assert.Equal([mac], await ArpingAsync(t, "ext0", ExtV4, count: 1));
        Assert.Equal([mac], await Ndisc6Async(t, "ext0", ExtV6));

        // The last refresh, then none.
        await node1.SendAsync("deadline 200");
        await WaitForAsync(async () => await node1.SendAsync("open") == "ready open false", "the deadline to pass");
        Assert.Empty(await ArpingAsync(t, "ext0", ExtV4, count: 2));
        Assert.Empty(await Ndisc6Async(t, "ext0", ExtV6));
        Assert.True((await node1.DropsAsync()).GetValueOrDefault("NotAnswering") >= 3, "the userspace responder saw the requests and declined them");

        // Refreshed again (SIGCONT): answered again, by the same path.
        await node1.SendAsync("deadline 600000");
        Assert.Equal([mac], await ArpingAsync(t, "ext0", ExtV4, count: 1));
        Assert.Equal([mac], await Ndisc6Async(t, "ext0", ExtV6));
        Assert.Equal(inKernel, (await node1.KernelRespondersAsync()).Where(r => r.StartsWith("eno2/", StringComparison.Ordinal)));

        await node1.SendAsync("revoke");
        Assert.Empty(await ArpingAsync(t, "ext0", ExtV4, count: 1));
    }

    [Fact]
    public async Task External_and_office_lans_are_kept_apart()
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), "--burst-ms", "0"));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp");
        foreach (var (ip, dev) in new[] { (ExtV4, "eno2"), (ExtV6, "eno2"), (OfcV4, "eno3"), (OfcV6, "eno3") })
        {
            await node1.SendAsync($"announce {ip} {dev}");
        }

        var eno2 = await t.MacAsync(t.Node(1), "eno2");
        var eno3 = await t.MacAsync(t.Node(1), "eno3");
        Assert.Equal([eno2], await ArpingAsync(t, "ext0", ExtV4, count: 1));
        Assert.Equal([eno3], await ArpingAsync(t, "ofc0", OfcV4, count: 1));
        Assert.Empty(await ArpingAsync(t, "ofc0", ExtV4, count: 1));
        Assert.Empty(await ArpingAsync(t, "ext0", OfcV4, count: 1));
        Assert.Equal([eno2], await Ndisc6Async(t, "ext0", ExtV6));
        Assert.Equal([eno3], await Ndisc6Async(t, "ofc0", OfcV6));
        Assert.Empty(await Ndisc6Async(t, "ofc0", ExtV6));
        Assert.Empty(await Ndisc6Async(t, "ext0", OfcV6));
        Assert.True((await node1.DropsAsync()).GetValueOrDefault("WrongInterface") >= 4);
    }

    [Fact]
    public async Task Address_not_announced_gets_no_answer()
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node1 = await StartAnnouncingOnEno2Async(t);
        Assert.Empty(await ArpingAsync(t, "ext0", "192.0.2.200", count: 1));
        Assert.Empty(await Ndisc6Async(t, "ext0", "2001:db8:2::200"));

        // Withdrawn addresses stop being answered at once.
        await node1.SendAsync($"withdraw {ExtV4}");
        await node1.SendAsync($"withdraw {ExtV6}");
        Assert.Empty(await ArpingAsync(t, "ext0", ExtV4, count: 1));
        Assert.Empty(await Ndisc6Async(t, "ext0", ExtV6));
    }

    [Fact]
    public async Task Client_neighbour_entry_follows_the_address_to_the_new_node_without_the_client_sending()
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1)));
        var node2 = t.Own(await HostProcess.StartAsync(t.Node(2)));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await WaitForRespondersAsync(node2, "eno2/arp", "eno2/ndp");
        var mac1 = await t.MacAsync(t.Node(1), "eno2");
        var mac2 = await t.MacAsync(t.Node(2), "eno2");
        await node1.SendAsync($"announce {ExtV4} eno2");
        await node1.SendAsync($"announce {ExtV6} eno2");

        // The client already knows the address at node1 (as after earlier traffic); STALE entries are not probed without traffic.
        foreach (var ip in new[] { ExtV4, ExtV6 })
        {
            await IpAsync("-n", t.Client, "neigh", "replace", ip, "lladdr", mac1.ToString(), "dev", "ext0", "nud", "stale");
        }

        var capture = t.Own(await Capture.StartAsync(t.Client, "ext0", "arp or (icmp6 and ip6[40] == 135)", outboundOnly: true));

        await node1.SendAsync($"withdraw {ExtV4}");
        await node1.SendAsync($"withdraw {ExtV6}");
        await node2.SendAsync($"announce {ExtV4} eno2");
        await node2.SendAsync($"announce {ExtV6} eno2");

        foreach (var ip in new[] { ExtV4, ExtV6 })
        {
            await WaitForAsync(async () => (await IpAsync("-n", t.Client, "neigh", "show", ip, "dev", "ext0")).Contains(mac2.ToString(), StringComparison.Ordinal),
                $"client's entry for {ip} to switch to node2's MAC {mac2}");
        }

        Assert.Equal(string.Empty, await capture.StopAsync()); // the client sent no ARP and no NS
    }

    [Fact]
    public async Task Responder_survives_interface_down_and_up_and_serves_a_new_interface()
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        // No periodic scan within the test's lifetime: only the kernel's change notifications can move the responders.
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), "--rescan-ms", "600000", "--burst-ms", "0"));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await node1.SendAsync($"announce {ExtV4}");
        await node1.SendAsync($"announce {ExtV6}");
        await node1.SendAsync("announce 203.0.113.100");
        var eno2 = await t.MacAsync(t.Node(1), "eno2");

        await IpAsync("-n", t.Node(1), "link", "set", "eno2", "down");
        await WaitForAsync(async () => !(await node1.RespondersAsync()).Contains("eno2/arp"), "eno2 responders to stop while down");
        await IpAsync("-n", t.Node(1), "link", "set", "eno2", "up");
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        Assert.Equal([eno2], await ArpingAsync(t, "ext0", ExtV4, count: 1, wait: 5));
        Assert.Equal([eno2], await Ndisc6Async(t, "ext0", ExtV6));
        Assert.Contains("33:33:ff:00:01:00", await IpAsync("-n", t.Node(1), "maddr", "show", "dev", "eno2"), StringComparison.Ordinal);

        // A new LAN and interface appear while the addresses are already announced on all interfaces.
        await t.AddLanAsync("brnew", 1, "eno4", "new0", "203.0.113.1/24", "2001:db8:4::1/64");
        await node1.SendAsync("announce 2001:db8:4::100");
        await WaitForRespondersAsync(node1, "eno4/arp", "eno4/ndp");
        var eno4 = await t.MacAsync(t.Node(1), "eno4");
        Assert.Equal([eno4], await ArpingAsync(t, "new0", "203.0.113.100", count: 1, wait: 5));
        Assert.Equal([eno4], await Ndisc6Async(t, "new0", "2001:db8:4::100"));
        // The late interface joined the solicited-node group of addresses announced before it existed.
        Assert.Contains("33:33:ff:00:01:00", await IpAsync("-n", t.Node(1), "maddr", "show", "dev", "eno4"), StringComparison.Ordinal);
        Assert.False(node1.HasExited);
    }

    [Fact]
    public async Task Malformed_frames_on_the_wire_are_dropped_with_the_right_reason()
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node1 = await StartAnnouncingOnEno2Async(t);
        var client = await t.MacAsync(t.Client, "ext0");
        var node = await t.MacAsync(t.Node(1), "eno2");

        byte[] Ns(Action<byte[]>? edit = null, bool fix = true)
        {
            var f = Frames.Ns(target: ExtV6, ethSrc: client);
            edit?.Invoke(f);
            return fix ? Frames.FixChecksum(f) : f;
        }

        var badHardware = Frames.Arp(target: ExtV4, ethSrc: client);
        badHardware[15] = 6;
        var frames = new (string Reason, byte[] Frame)[]
        {
            ("Truncated", Frames.Arp(target: ExtV4, ethSrc: client)[..20]),
            ("BadHeader", badHardware),
            ("NotRequest", Frames.Arp(op: ArpPacket.OpReply, target: ExtV4, ethSrc: client, ethDst: node)),
            ("BadChecksum", Ns(f => f[60] ^= 0x55, fix: false)),
            ("BadOption", Ns(f => f[79] = 0)),
            ("BadHopLimit", Ns(f => f[21] = 64)),
            ("Truncated", Ns(f => f[19] = 120, fix: false)),
        };

        var before = await node1.DropsAsync();
        var r = await CheckAsync("ip", ["netns", "exec", t.Client, "dotnet", HostProcess.TestHostDll, "inject", "ext0", .. frames.Select(f => Convert.ToHexString(f.Frame))]);
        Assert.Contains($"ready inject {frames.Length}", r, StringComparison.Ordinal);

        var expected = frames.GroupBy(f => f.Reason).ToDictionary(g => g.Key, g => g.LongCount());
        await WaitForAsync(async () =>
        {
            var now = await node1.DropsAsync();
            return expected.All(e => now.GetValueOrDefault(e.Key) - before.GetValueOrDefault(e.Key) >= e.Value);
        }, "every injected frame to be counted under its drop reason", describe: async () => string.Join(' ', (await node1.DropsAsync()).Select(kv => $"{kv.Key}={kv.Value - before.GetValueOrDefault(kv.Key)}")));

        var after = await node1.DropsAsync();
        Assert.Equal(before.GetValueOrDefault("None"), after.GetValueOrDefault("None")); // none of them was answered
        Assert.False(node1.HasExited);
        Assert.Equal([node], await ArpingAsync(t, "ext0", ExtV4, count: 1)); // and the responder still works
        Assert.Equal([node], await Ndisc6Async(t, "ext0", ExtV6));
    }

    /// <summary>Node 1 announcing ExtV4 and ExtV6 on eno2 once its responders run, with only the immediate gratuitous round.</summary>
    private static async Task<HostProcess> StartAnnouncingOnEno2Async(LanTopology t)
    {
        var node1 = t.Own(await HostProcess.StartAsync(t.Node(1), "--burst-ms", "0"));
        await WaitForRespondersAsync(node1, "eno2/arp", "eno2/ndp");
        await node1.SendAsync($"announce {ExtV4} eno2");
        await node1.SendAsync($"announce {ExtV6} eno2");
        return node1;
    }

    private static async Task WaitForRespondersAsync(HostProcess host, params string[] expected) =>
        await WaitForAsync(async () =>
        {
            var now = await host.RespondersAsync();
            return expected.All(now.Contains);
        }, $"responders {string.Join(',', expected)}");

    /// <summary>arping's replies as MACs (one per reply line; duplicates would show as extra lines).</summary>
    private static async Task<List<MacAddress>> ArpingAsync(LanTopology t, string device, string ip, int count, int wait = 2) =>
        (await ArpingProbesAsync(t, device, ip, count, wait)).Replies;

    private static async Task<(int Sent, List<MacAddress> Replies)> ArpingProbesAsync(LanTopology t, string device, string ip, int count, int wait = 2)
    {
        var (sent, replies) = await LanProbe.ArpingAsync(t.Client, device, ip, count, wait);
        return (sent, [.. replies.Select(MacAddress.Parse)]);
    }

    private static async Task<List<MacAddress>> Ndisc6Async(LanTopology t, string device, string ip) =>
        [.. (await LanProbe.Ndisc6Async(t.Client, device, ip)).Select(MacAddress.Parse)];
}

/// <summary>tcpdump inside a namespace, for "the client sent nothing" checks.</summary>
internal sealed class Capture : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;

    private Capture(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
    }

    public static async Task<Capture> StartAsync(string ns, string device, string filter, bool outboundOnly)
    {
        // Immediate mode: without it libpcap hands packets over a ring block at a time, and a block not yet full
        // when the capture is stopped is lost, so a short capture could miss frames that were on the wire.
        string[] args = ["netns", "exec", ns, "tcpdump", "-i", device, "-n", "-l", "-e", "--immediate-mode", .. outboundOnly ? new[] { "-Q", "out" } : [], filter];
        var p = new Process { StartInfo = ProcessRunner.StartInfo("ip", args) };
        p.Start();
        var c = new Capture(p);
        // tcpdump says "listening on" (stderr) once the capture is armed.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await p.StandardError.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                break;
            }
        }

        return c;
    }

    /// <summary>Stops the capture and returns the packets it printed.</summary>
    public async Task<string> StopAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM lets tcpdump flush; the shell's builtin kill avoids needing procps.
            await ProcessRunner.RunAsync("sh", "-c", $"kill -TERM {_process.Id}");
            await _process.WaitForExitAsync();
        }

        return (await _stdout).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
