using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using IronLb.Networking.Egress;
using IronLb.Networking.Tests.Network;
using IronLb.Testing.Network;
using static IronLb.Networking.Tests.Egress.EgressSets;
using static IronLb.Testing.Network.Ip;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Networking.Tests.Egress;

/// <summary>
/// The programmer against the real kernel, inside node1 of a fresh topology: the table, rules and routes it
/// writes, replacement without duplicates, a restart over a crashed run's state, Clear leaving foreign state
/// alone, and a translated datagram counted and seen by the client with the Service's address as source.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class EgressKernelTests
{
    private static readonly string HostNamespace = File.ResolveLinkTarget("/proc/self/ns/net", returnFinalTarget: false)?.ToString() ?? "";

    private static readonly EgressRuleSet First = Set(
        Translate("mail/smtpout", "192.0.2.200", "203.0.113.5"),
        Steer("web/proxy", "192.0.2.201", "192.0.2.12", "203.0.113.6", "203.0.113.7"),
        Steer("web/proxy", "2001:db8:2::201", "2001:db8:2::12", "2001:db8:100::6"));

    // The v4 next hop moves, a second appears (table 17901), the v6 Service goes away.
    private static readonly EgressRuleSet Second = Set(
        Translate("mail/smtpout", "192.0.2.200", "203.0.113.5"),
        Steer("web/proxy", "192.0.2.201", "192.0.2.13", "203.0.113.6"),
        Steer("web/cache", "192.0.2.202", "192.0.2.14", "203.0.113.8"));

    [Fact]
    public async Task Apply_replaces_and_Clear_removes_only_ironlbs_state()
    {
        Requirements.RootAndTools();
        Requirements.Tool("nft", "the egress kernel tests");
        await using var t = await Lan.CreateAsync();
        var node = t.Node(1);
        await CheckAsync("ip", "netns", "exec", node, "nft", "add table inet foreign; add chain inet foreign c { type filter hook prerouting priority 0; }");
        await IpAsync("-n", node, "rule", "add", "fwmark", "0x1", "lookup", "100", "priority", "1000");
        await IpAsync("-n", node, "rule", "add", "fwmark", "0x2", "lookup", "101", "priority", "17900"); // our priority, not our table
        using var programmer = new EgressProgrammer();

        Assert.Equal(EgressApplyResult.Applied, InNode(node, () => programmer.Apply(First)));
        Assert.Equal(EgressApplyResult.Unchanged, InNode(node, () => programmer.Apply(First)));
        var table = await ListTableAsync(node);
        Assert.Contains("\"snat\"", table, StringComparison.Ordinal);
        Assert.Contains("\"mangle\"", table, StringComparison.Ordinal);
        Assert.Equal(["from all fwmark 0x100000/0xff00000 lookup 17900"], await OursAsync(node, "-4"));
        Assert.Equal(["from all fwmark 0x100000/0xff00000 lookup 17900"], await OursAsync(node, "-6"));
        Assert.StartsWith("default via 192.0.2.12 dev eno2", await IpAsync("-n", node, "-4", "route", "show", "table", "17900"), StringComparison.Ordinal);
        Assert.StartsWith("default via 2001:db8:2::12 dev eno2", await IpAsync("-n", node, "-6", "route", "show", "table", "17900"), StringComparison.Ordinal);

        Assert.Equal(EgressApplyResult.Applied, InNode(node, () => programmer.Apply(Second)));
        await AssertSecondAsync(node);

        // Endpoints change, the next hops stay: only the table is replaced, the rules and routes stand.
        var messages = programmer.NetlinkMessages;
        var moved = Second with { Entries = [.. Second.Entries.Select(e => e with { Sources = [IPAddress.Parse("203.0.113.9")] })] };
        Assert.Equal(EgressApplyResult.Applied, InNode(node, () => programmer.Apply(moved)));
        Assert.Equal(messages, programmer.NetlinkMessages);
        Assert.Contains("203.0.113.9", await ListTableAsync(node), StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.6", await ListTableAsync(node), StringComparison.Ordinal);
        await AssertSecondAsync(node);

        // A restarted speaker over a crashed run's state: the same set again, nothing duplicated.
        using (var restarted = new EgressProgrammer())
        {
            Assert.Equal(EgressApplyResult.Applied, InNode(node, () => restarted.Apply(Second)));
        }

        await AssertSecondAsync(node);

        Assert.Equal(EgressApplyResult.Applied, InNode(node, programmer.Clear));
        Assert.DoesNotContain("ironlb", await CheckAsync("ip", "netns", "exec", node, "nft", "list", "tables"), StringComparison.Ordinal);
        Assert.Contains("inet foreign", await CheckAsync("ip", "netns", "exec", node, "nft", "list", "tables"), StringComparison.Ordinal);
        Assert.Empty(await OursAsync(node, "-4"));
        Assert.Empty(await OursAsync(node, "-6"));
        var rules = await IpAsync("-n", node, "-4", "rule", "show");
        Assert.Contains("1000:\tfrom all fwmark 0x1 lookup 100", rules, StringComparison.Ordinal);
        Assert.Contains("17900:\tfrom all fwmark 0x2 lookup 101", rules, StringComparison.Ordinal);
        foreach (var family in new[] { "-4", "-6" })
        {
            Assert.DoesNotContain("table 179", await IpAsync("-n", node, family, "route", "show", "table", "all"), StringComparison.Ordinal);
        }

        Assert.Equal(EgressApplyResult.Applied, InNode(node, programmer.Clear)); // nothing there: still fine
    }

    [Theory]
    [InlineData("203.0.113.5", "192.0.2.200", "192.0.2.1", "198.51.100.0/24")]
    [InlineData("2001:db8:100::5", "2001:db8:2::200", "2001:db8:2::1", "2001:db8:3::/64")]
    public async Task A_translated_datagram_leaves_as_the_service_address_and_is_counted(string podAddress, string serviceAddress, string clientAddress, string excluded)
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        var node = t.Node(1);
        IPAddress pod = IPAddress.Parse(podAddress), service = IPAddress.Parse(serviceAddress), clientIp = IPAddress.Parse(clientAddress);
        var prefix = pod.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        await IpAsync("-n", node, "addr", "add", $"{pod}/{prefix}", "dev", "lo"); // the "pod"
        await IpAsync("-n", node, "addr", "add", $"{service}/{prefix}", "dev", "eno2", "nodad"); // node1 announces the Service
        using var programmer = new EgressProgrammer();
        var set = Set(Translate("mail/smtpout", serviceAddress, podAddress)) with { Excluded = [IPNetwork.Parse(excluded)] };
        Assert.Equal(EgressApplyResult.Applied, InNode(node, () => programmer.Apply(set)));

        using var client = NetworkNamespace.Run(t.Client, () =>
        {
            var s = new Socket(clientIp.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
            s.Bind(new IPEndPoint(clientIp, 2525));
            return s;
        });
        using var sender = NetworkNamespace.Run(node, () =>
        {
            var s = new Socket(pod.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(pod, 0));
            return s;
        });
        sender.SendTo("HELO"u8.ToArray(), new IPEndPoint(clientIp, 2525));
        var buffer = new byte[16];
        EndPoint from = new IPEndPoint(clientIp.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        var n = client.ReceiveFrom(buffer, ref from);
        Assert.Equal("HELO"u8.ToArray(), buffer[..n]);
        Assert.Equal(service, ((IPEndPoint)from).Address);

        var counter = Assert.Single(InNode(node, programmer.ReadCounters));
        Assert.Equal(("mail/smtpout", pod.AddressFamily, 1ul), (counter.Service, counter.Family, counter.Packets));
        Assert.True(counter.Bytes >= 32, $"{counter.Bytes} bytes");
        Assert.Equal(0, programmer.CounterDrops);
        Assert.Equal(EgressApplyResult.Applied, InNode(node, programmer.Clear));
    }

    [Fact]
    public async Task A_refused_transaction_is_a_result_with_the_librarys_reason()
    {
        Requirements.RootAndTools();
        await using var t = await Lan.CreateAsync();
        using var programmer = new EgressProgrammer();
        // A next hop that is on no connected network: the kernel refuses the route, the set is not applied.
        var set = Set(Steer("web/proxy", "192.0.2.201", "203.0.113.99", "198.51.100.65"));
        var result = InNode(t.Node(1), () => programmer.Apply(set));
        Assert.Equal(EgressApplyOutcome.Failed, result.Outcome);
        Assert.Contains("table 17900 via 203.0.113.99", result.Reason, StringComparison.Ordinal);
        Assert.Equal(EgressApplyResult.Applied, InNode(t.Node(1), programmer.Clear));
    }

    private static async Task AssertSecondAsync(string node)
    {
        Assert.Equal(
            ["from all fwmark 0x100000/0xff00000 lookup 17900", "from all fwmark 0x200000/0xff00000 lookup 17901"],
            await OursAsync(node, "-4"));
        Assert.Empty(await OursAsync(node, "-6"));
        Assert.Equal("default via 192.0.2.13 dev eno2 proto static", (await IpAsync("-n", node, "-4", "route", "show", "table", "17900")).Trim());
        Assert.Equal("default via 192.0.2.14 dev eno2 proto static", (await IpAsync("-n", node, "-4", "route", "show", "table", "17901")).Trim());
        Assert.Equal("", (await IpAsync("-n", node, "-6", "route", "show", "table", "17900")).Trim());
        var chains = JsonNode.Parse(await ListTableAsync(node))!["nftables"]!.AsArray()
            .Where(i => i!.AsObject().ContainsKey("chain")).Select(i => (string)i!["chain"]!["name"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["hop4-0", "hop4-1", "postrouting", "prerouting"], chains);
    }

    /// <summary>IronLB's rules at its priority (the fixed one from the test excluded by its table).</summary>
    private static async Task<List<string>> OursAsync(string node, string family) =>
        (await IpAsync("-n", node, family, "rule", "show", "priority", "17900"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l[(l.IndexOf('\t', StringComparison.Ordinal) + 1)..].Trim())
            .Where(l => !l.EndsWith("lookup 101", StringComparison.Ordinal))
            .ToList();

    private static Task<string> ListTableAsync(string node) =>
        CheckAsync("ip", "netns", "exec", node, "nft", "-j", "list", "table", "inet", "ironlb");

    /// <summary>Runs the programmer inside the namespace; refuses to run it in the test process's own.</summary>
    private static T InNode<T>(string ns, Func<T> action) =>
        NetworkNamespace.Run(ns, () =>
        {
            var here = File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)?.ToString();
            return here is null || here == HostNamespace ? throw new InvalidOperationException($"not inside {ns}") : action();
        });
}
