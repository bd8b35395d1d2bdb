using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.Network.Ip;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Failover;

/// <summary>
/// One three-node lab shared by the failover tests. Every test starts from <see cref="HealthyAsync"/>: all
/// speakers running, every link up, no packet loss, and web/gateway answered by its elected node, so the
/// tests do not depend on each other's order.
/// </summary>
public sealed class FailoverLab : IAsyncLifetime
{
    public const string Ipv4 = "192.0.2.184";
    public const string Ipv6 = "2001:db8:3a::443";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly string[] Links = ["eno2", "eno3", "mgmt0"];

    private LabCli? _lab;
    private LabView? _view;

    internal LabCli Lab => _lab ?? throw new InvalidOperationException("lab not up");

    internal LabView View => _view ?? throw new InvalidOperationException("lab not up");

    public IReadOnlyList<string> Nodes => [.. View.Nodes.Select(n => n.Name)];

    public string Netns(string node) => View.Nodes.Single(n => n.Name == node).Netns;

    public string Mac(string node) => View.MacOn(node, "external");

    internal LabView.Client Client => View.ClientOn("external");

    /// <summary>MetalLB's election order for web/gateway (sha256 of "node#first ingress IP", ascending).</summary>
    public IReadOnlyList<string> Order =>
        [.. Nodes.OrderBy(n => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{n}#{Ipv4}"))), StringComparer.Ordinal)];

    public async ValueTask InitializeAsync()
    {
        if (!Requirements.IsRoot && !Requirements.InCi)
        {
            return; // The tests skip (Requirements) before touching the lab.
        }

        _lab = new LabCli();
        var up = await _lab.RunAsync("up", "--nodes", "3");
        Assert.True(up.ExitCode == 0, $"up: {up}\n{_lab.Logs()}");
        _view = LabView.Parse(await _lab.OkAsync("status", "--output", "json"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    /// <summary>Every speaker running, every link up, no loss rule, and the gateway answered by its elected node.</summary>
    public async Task HealthyAsync()
    {
        var status = LabView.Parse(await Lab.OkAsync("status", "--output", "json"));
        foreach (var node in status.Nodes)
        {
            await RunAsync("ip", "netns", "exec", node.Netns, "nft", "delete", "table", "inet", "ilbloss");
            foreach (var link in Links)
            {
                await IpAsync("-n", node.Netns, "link", "set", link, "up");
            }

            if (node.SpeakerPid is null)
            {
                await Lab.OkAsync("restart-speaker", "--node", node.Name);
            }
        }

        await AnsweredByAsync(Order[0]);
    }

    /// <summary>Waits until the client's ARP for the gateway gets exactly one answer per probe, from the node's eno2.</summary>
    public async Task AnsweredByAsync(string node)
    {
        var expected = Mac(node);
        (int Probes, List<string> Macs) last = default;
        await WaitForAsync(
            async () =>
            {
                last = await LanProbe.AskAsync(Client.Netns, Client.Interface, IPAddress.Parse(Ipv4));
                return last.Macs.Count == last.Probes && last.Macs.All(m => m == expected);
            },
            $"{Ipv4} answered only by {node} ({expected})", Deadline,
            () => Task.FromResult($"last answers [{string.Join(", ", last.Macs ?? [])}] to {last.Probes} probes\n{Lab.Logs()}"));
    }

    /// <summary>Puts the client's neighbour entries for the gateway on the node's MAC, as if it had been talking to it.</summary>
    public async Task PinNeighboursAsync(string node)
    {
        foreach (var ip in new[] { Ipv4, Ipv6 })
        {
            await IpAsync("-n", Client.Netns, "neigh", "replace", ip, "lladdr", Mac(node), "dev", Client.Interface, "nud", "stale");
        }
    }

    /// <summary>Waits until both neighbour entries point at the node, moved by its gratuitous ARP and unsolicited NA alone.</summary>
    public async Task NeighboursMoveToAsync(string node, string why)
    {
        foreach (var ip in new[] { Ipv4, Ipv6 })
        {
            await WaitForAsync(
                async () => (await IpAsync("-n", Client.Netns, "neigh", "show", ip, "dev", Client.Interface)).Contains(Mac(node), StringComparison.OrdinalIgnoreCase),
                $"the client's entry for {ip} moving to {node} ({Mac(node)}) after {why}", Deadline,
                async () => await IpAsync("-n", Client.Netns, "neigh", "show", "dev", Client.Interface) + "\n" + Lab.Logs());
        }
    }

    /// <summary>The nodes named by the gateway's ServiceL2Status objects.</summary>
    public async Task<List<string>> StatusNodesAsync()
    {
        using var connection = KubeConnection.Create(View.Kubeconfig);
        var json = await connection.GetAsync("apis/metallb.io/v1beta1/namespaces/metallb-system/servicel2statuses", TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("metadata").GetProperty("labels").GetProperty("metallb.io/service-name").GetString() == "gateway")
            .Select(i => i.GetProperty("metadata").GetProperty("labels").GetProperty("metallb.io/node").GetString()!)];
    }

    public async Task StatusOnAsync(string node) =>
        await WaitForAsync(async () => (await StatusNodesAsync()) is [var only] && only == node, $"the gateway's ServiceL2Status naming {node} alone", Deadline,
            async () => string.Join(',', await StatusNodesAsync()));

    public async Task<int?> SpeakerPidAsync(string node) =>
        LabView.Parse(await Lab.OkAsync("status", "--output", "json")).Nodes.Single(n => n.Name == node).SpeakerPid;

    public Task CutLinksAsync(string node) =>
        Task.WhenAll(Links.Select(link => IpAsync("-n", Netns(node), "link", "set", link, "down")));

    /// <summary>Drops the given percentage of heartbeats arriving at every node (nftables numgen: this kernel has no netem).</summary>
    public async Task HeartbeatLossAsync(int percent)
    {
        foreach (var node in Nodes)
        {
            var ns = Netns(node);
            await CheckAsync("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "ilbloss");
            await CheckAsync("ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "ilbloss", "input", "{ type filter hook input priority 0; policy accept; }");
            await CheckAsync("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "ilbloss", "input", "udp", "dport", "7947", "numgen", "random", "mod", "100", "<", percent.ToString(System.Globalization.CultureInfo.InvariantCulture), "counter", "drop");
        }
    }

    /// <summary>Heartbeats the loss rules dropped, over all nodes.</summary>
    public async Task<long> DroppedHeartbeatsAsync()
    {
        long total = 0;
        foreach (var node in Nodes)
        {
            var table = await CheckAsync("ip", "netns", "exec", Netns(node), "nft", "list", "table", "inet", "ilbloss");
            var at = table.IndexOf("packets ", StringComparison.Ordinal);
            total += long.Parse(table[(at + 8)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>Waits until no speaker has logged a change of view or of what it announces for <paramref name="quiet"/>.</summary>
    public async Task QuietAsync(TimeSpan quiet)
    {
        var count = OwnershipLogLines().Count;
        var since = System.Diagnostics.Stopwatch.StartNew();
        await WaitForAsync(
            async () =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
                var now = OwnershipLogLines().Count;
                if (now != count)
                {
                    (count, since) = (now, System.Diagnostics.Stopwatch.StartNew());
                }

                return since.Elapsed >= quiet;
            },
            $"no membership or announcement change for {quiet.TotalSeconds} s", Deadline,
            () => Task.FromResult(string.Join('\n', OwnershipLogLines().TakeLast(20))));
    }

    /// <summary>Lines of every speaker log that record a change of view or of what is announced.</summary>
    public IReadOnlyList<string> OwnershipLogLines() =>
        [.. Directory.EnumerateFiles(Lab.StateDirectory, "speaker-*.log").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Where(l => l.Contains("Membership on", StringComparison.Ordinal) || l.Contains("Announcing ", StringComparison.Ordinal) || l.Contains("Withdrawing ", StringComparison.Ordinal))];

    public static void RequireNftables()
    {
        Requirements.RootAndTools();
        Requirements.Tool("nft", "the loss test (.ci/run installs nftables)");
    }
}
