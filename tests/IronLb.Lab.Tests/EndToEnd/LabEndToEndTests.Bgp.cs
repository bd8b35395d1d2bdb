using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IronLb.Lab.Cluster;
using IronLb.Lab.Processes;
using IronLb.Lab.Routers;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>
/// `up --bgp` with the speakers speaking BGP, on the bring-up the first test does anyway: sessions (as FRR and as
/// `ironlb status` show them), FRR's RIB, the
/// router's kernel ECMP routes, the ServiceBGPStatus objects, and the client behind the router reaching the Service
/// addresses. examples/lab-bgp advertises the external pool; every example Service has Cluster traffic policy and a
/// ready pod, so every node announces each of the pool's addresses (MetalLB's rule), and nobody announces office's.
/// </summary>
public sealed partial class LabEndToEndTests
{
    /// <summary>Sessions can take a connect-retry or two on two loaded cores; nothing here asserts on time.</summary>
    private static readonly TimeSpan BgpDeadline = TimeSpan.FromSeconds(180);

    private static readonly string[] LabPeers = ["lab-router", "lab-router-v6"];

    private const string Community = "64513:100";

    private static async Task ExpectBgpAsync(LabCli lab, LabView view, IReadOnlyList<LoadBalancerService> services)
    {
        var router = Assert.Single(view.Routers).Name;
        // Node K is .1K on the external LAN (LabPlanTests pins it); the router's peers are those addresses.
        var nodes = view.Nodes.Select((n, i) => (n.Name, V4: IPAddress.Parse($"192.0.2.{11 + i}"), V6: IPAddress.Parse($"2001:db8:3a::{11 + i}"))).ToList();
        var advertised = services.Where(s => s.Ingress.Any(ip => LabView.LanOf(IPAddress.Parse(ip)) == "external")).ToList();
        var prefixes = advertised.SelectMany(s => s.Ingress).Select(IPAddress.Parse).Distinct()
            .Select(a => new IPNetwork(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)).ToList();
        Assert.Equal(8, prefixes.Count); // four external address pairs (imap and webmail share one)

        await ExpectSessionsAsync(lab, router, nodes);
        await ExpectIronLbStatusSessionsAsync(view, prefixes.Count / 2);
        await ExpectRibAsync(lab, router, nodes, prefixes);
        await ExpectKernelEcmpAsync(lab, view, router, prefixes);
        await ExpectServiceBgpStatusesAsync(lab, view, advertised);
        await ExpectRemoteClientReachesAsync(lab, view, prefixes.Select(p => p.BaseAddress).Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).ToList());
    }

    /// <summary>Every node's IPv4 session in FRR's IPv4 unicast table and its IPv6 session in IPv6's, all Established.</summary>
    private static async Task ExpectSessionsAsync(LabCli lab, string router, IReadOnlyList<(string Name, IPAddress V4, IPAddress V6)> nodes)
    {
        string expected = string.Join("; ", nodes.SelectMany(n => new[] { $"ipv4Unicast {n.V4} Established", $"ipv6Unicast {n.V6} Established" }).Order(StringComparer.Ordinal));
        var seen = "";
        await WaitForAsync(
            async () =>
            {
                using var json = JsonDocument.Parse(await CheckAsync("vtysh", "-N", router, "-c", "show bgp summary json"));
                seen = string.Join("; ", json.RootElement.EnumerateObject()
                    .Where(f => f.Name is "ipv4Unicast" or "ipv6Unicast" && f.Value.TryGetProperty("peers", out _))
                    .SelectMany(f => f.Value.GetProperty("peers").EnumerateObject().Select(p => $"{f.Name} {p.Name} {p.Value.GetProperty("state").GetString()}"))
                    .Order(StringComparer.Ordinal));
                return seen == expected;
            },
            "FRR shows every node's session Established in both families", BgpDeadline,
            () => Task.FromResult($"sessions: {seen}\n{lab.Logs()}"));
    }

    /// <summary>
    /// `ironlb status` as a user reads it: every speaker reports both lab peers Established, each session with all of
    /// its family's prefixes sent (the speakers' own view, from their ConfigurationStates, beside FRR's above).
    /// </summary>
    private static async Task ExpectIronLbStatusSessionsAsync(LabView view, int perFamily)
    {
        var ironlb = Executables.FindIronLb(null, out var searched) ?? throw new FileNotFoundException($"no ironlb at {searched}");
        var expected = string.Join("; ", view.Nodes.SelectMany(n => LabPeers.Select(p => $"{n.Name} {p} Established {perFamily}/{perFamily}")));
        var seen = "";
        await WaitForAsync(
            async () =>
            {
                var status = await RunAsync(ironlb[0], [.. ironlb.Skip(1), "status", "--kubeconfig", view.Kubeconfig, "--output", "json"]);
                if (!status.Stdout.TrimStart().StartsWith('{'))
                {
                    seen = status.ToString();
                    return false;
                }

                using var json = JsonDocument.Parse(status.Stdout);
                seen = string.Join("; ", json.RootElement.GetProperty("speakers").EnumerateArray()
                    .Where(s => s.GetProperty("bgpSessions").ValueKind == JsonValueKind.Array)
                    .SelectMany(s => s.GetProperty("bgpSessions").EnumerateArray().Select(b =>
                        $"{s.GetProperty("node").GetString()} {b.GetProperty("peer").GetString()} {b.GetProperty("state").GetString()} {b.GetProperty("advertisedPrefixes").GetInt32()}/{b.GetProperty("desiredPrefixes").GetInt32()}")));
                return seen == expected;
            },
            "ironlb status reporting every node's two sessions Established with every prefix sent", BgpDeadline,
            () => Task.FromResult($"expected: {expected}\nseen: {seen}"));
    }

    /// <summary>FRR's RIB holds exactly the external pool's prefixes, each from every node (its own address as next
    /// hop), with the advertisement's community.</summary>
    private static async Task ExpectRibAsync(LabCli lab, string router, IReadOnlyList<(string Name, IPAddress V4, IPAddress V6)> nodes, IReadOnlyList<IPNetwork> prefixes)
    {
        static string Row(IPNetwork prefix, IPAddress? hop) => $"{prefix} via {hop}";
        var expected = prefixes.SelectMany(p => nodes.Select(n => Row(p, p.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? n.V4 : n.V6)))
            .Order(StringComparer.Ordinal).ToList();
        var drops = new List<string>();
        List<RoutePath> paths = [];
        await WaitForAsync(
            async () =>
            {
                drops.Clear();
                paths = [
                    .. FrrViewParser.Routes(await CheckAsync("vtysh", "-N", router, "-c", "show bgp ipv4 unicast json detail"), drops),
                    .. FrrViewParser.Routes(await CheckAsync("vtysh", "-N", router, "-c", "show bgp ipv6 unicast json detail"), drops),
                ];
                return paths.Select(p => Row(p.Prefix, p.NextHop)).Order(StringComparer.Ordinal).SequenceEqual(expected);
            },
            $"FRR's RIB holds {string.Join(", ", prefixes)}, each from all {nodes.Count} nodes and nothing else", BgpDeadline,
            () => Task.FromResult($"paths: {string.Join("; ", paths.Select(p => Row(p.Prefix, p.NextHop)))}\n{lab.Logs()}"));
        Assert.Empty(drops);
        Assert.All(paths, p => Assert.Equal([Community], p.Communities));
        Assert.All(paths, p => Assert.Equal([64513u], p.AsPath));
    }

    /// <summary>The router's kernel spreads each prefix over every node (ECMP): IPv4 via the nodes' addresses, IPv6 via
    /// their link-local ones, as FRR installs IPv6 paths.</summary>
    private static async Task ExpectKernelEcmpAsync(LabCli lab, LabView view, string router, IReadOnlyList<IPNetwork> prefixes)
    {
        var v4 = view.Nodes.Select((_, i) => $"192.0.2.{11 + i}").Order(StringComparer.Ordinal).ToList();
        var v6 = new List<string>();
        foreach (var node in view.Nodes)
        {
            // One line: "N: eno2    inet6 fe80::…/64 scope link …".
            var line = await CheckAsync("ip", "-n", node.Netns, "-6", "-o", "addr", "show", "dev", "eno2", "scope", "link");
            var word = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault();
            Assert.True(word is not null, $"eno2 of {node.Name} has no link-local address: {line}");
            v6.Add(IPAddress.Parse(word.Split('/')[0]).ToString());
        }

        v6 = [.. v6.Order(StringComparer.Ordinal)];
        var drops = new List<string>();
        IReadOnlyList<KernelRoute> routes = [];
        await WaitForAsync(
            async () =>
            {
                drops.Clear();
                routes = await KernelRoutes.ReadAsync(router, drops);
                return prefixes.All(p => routes.SingleOrDefault(r => r.Prefix == p) is { } route
                    && route.NextHops.Select(h => h.ToString()).Order(StringComparer.Ordinal).SequenceEqual(p.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? v4 : v6));
            },
            $"the router's kernel routes each prefix via all {view.Nodes.Count} nodes", BgpDeadline,
            () => Task.FromResult($"routes: {string.Join("; ", routes.Select(r => $"{r.Prefix} {r.Protocol} via {string.Join(',', r.NextHops)}"))}, drops {string.Join("; ", drops)}\n{lab.Logs()}"));
        Assert.All(prefixes, p => Assert.Equal("bgp", routes.Single(r => r.Prefix == p).Protocol));
    }

    /// <summary>`kubectl get servicebgpstatuses -A`: one object per advertised Service and node, naming both of the
    /// node's peers; none for the office Services.</summary>
    private static async Task ExpectServiceBgpStatusesAsync(LabCli lab, LabView view, IReadOnlyList<LoadBalancerService> advertised)
    {
        var expected = advertised.SelectMany(s => view.Nodes.Select(n => $"{s} on {n.Name} to {string.Join(',', LabPeers)}")).Order(StringComparer.Ordinal).ToList();
        List<string> seen = [];
        await WaitForAsync(
            async () =>
            {
                using var json = JsonDocument.Parse(await CheckAsync("kubectl", "--kubeconfig", view.Kubeconfig, "get", "servicebgpstatuses", "-A", "-o", "json"));
                seen = [.. json.RootElement.GetProperty("items").EnumerateArray()
                    .Select(item => item.TryGetProperty("status", out var status) ? status : default)
                    .Select(status => status.ValueKind != JsonValueKind.Object ? "(no status yet)"
                        : $"{Text(status, "serviceNamespace")}/{Text(status, "serviceName")} on {Text(status, "node")} to "
                            + string.Join(',', status.TryGetProperty("peers", out var peers) ? peers.EnumerateArray().Select(p => p.GetString()) : []))
                    .Order(StringComparer.Ordinal)];
                return seen.SequenceEqual(expected);
            },
            "kubectl lists a ServiceBGPStatus for each advertised Service on each node", BgpDeadline,
            () => Task.FromResult($"ServiceBGPStatuses: {string.Join("; ", seen)}\n{lab.Logs()}"));

        static string? Text(JsonElement status, string name) => status.TryGetProperty(name, out var v) ? v.GetString() : null;
    }

    /// <summary>
    /// The client behind the router pings each IPv6 Service address. The lab runs no kube-proxy, so nothing answers;
    /// what counts is where the echoes arrive: a test-only nftables counter in every node's prerouting counts the
    /// client's packets for each address, and every echo must arrive at a node: the router forwarded it by its routes,
    /// which the check above showed are BGP's, via every node.
    /// </summary>
    private static async Task ExpectRemoteClientReachesAsync(LabCli lab, LabView view, IReadOnlyList<IPAddress> addresses)
    {
        var remote = view.Clients.Single(c => c.Lan == "remote");
        const string Table = "ilabtest";
        var rules = string.Join('\n', addresses.Select((a, i) => $"ip6 saddr 2001:db8:3b::1 ip6 daddr {a} counter name \"svc{i}\""));
        var script = $$"""
            table inet {{Table}} {
            {{string.Join('\n', addresses.Select((_, i) => $"counter svc{i} {{ }}"))}}
                chain prerouting {
                    type filter hook prerouting priority raw; policy accept;
            {{rules}}
                }
            }

            """;
        try
        {
            foreach (var node in view.Nodes)
            {
                var loaded = await RunAsync(StartInfo("ip", ["netns", "exec", node.Netns, "nft", "-f", "-"]), DefaultHangGuard, script);
                Assert.True(loaded.ExitCode == 0, $"nft in {node.Netns}: {loaded}");
            }

            // No echo reply is expected (nothing holds the address), so each ping waits out -W: all at once, not in turn.
            // Its exit code says nothing here.
            await Task.WhenAll(addresses.Select(address =>
                RunAsync("ip", "netns", "exec", remote.Netns, "ping", "-c", "3", "-i", "0.2", "-W", "1", address.ToString())));

            var counted = new Dictionary<string, long[]>();
            foreach (var node in view.Nodes)
            {
                using var json = JsonDocument.Parse(await CheckAsync("ip", "netns", "exec", node.Netns, "nft", "-j", "list", "table", "inet", Table));
                var byName = json.RootElement.GetProperty("nftables").EnumerateArray().Where(e => e.TryGetProperty("counter", out _))
                    .ToDictionary(e => e.GetProperty("counter").GetProperty("name").GetString()!, e => e.GetProperty("counter").GetProperty("packets").GetInt64());
                counted[node.Name] = [.. addresses.Select((_, i) => byName[$"svc{i}"])];
            }

            for (var i = 0; i < addresses.Count; i++)
            {
                var perNode = string.Join(", ", counted.Select(c => $"{c.Key} {c.Value[i]}"));
                Assert.True(counted.Values.Sum(c => c[i]) >= 3, $"the client behind the router sent 3 echoes to {addresses[i]}; the nodes received: {perNode}\n{lab.Logs()}");
            }
        }
        finally
        {
            foreach (var node in view.Nodes)
            {
                await RunAsync("ip", "netns", "exec", node.Netns, "nft", "delete", "table", "inet", Table);
            }
        }
    }
}
