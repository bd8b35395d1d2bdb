using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>
/// One three-node lab shared by every row of the fault matrix. Each row starts from <see cref="HealthyAsync"/>:
/// no fault rule, nothing paused, every speaker running, the host's controller alone, no test objects left,
/// and every Service address answered on the client's wire by its elected node alone. So rows do not depend on
/// each other's order, and a row that failed half-way leaves nothing behind for the next.
/// </summary>
public sealed class MatrixLab : IAsyncLifetime
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>How often the client asks for every address: the brief asks for at least every 200 ms.</summary>
    public static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(100);

    public const string Gateway = "192.0.2.184";
    public const string MetalLbNamespace = "metallb-system";
    public const string TestNamespace = "matrix";

    private LabCli? _lab;
    private LabView? _view;
    private FrozenDictionary<IPAddress, string> _firstIngress = FrozenDictionary<IPAddress, string>.Empty;

    internal LabCli Lab => _lab ?? throw new InvalidOperationException("lab not up");

    internal LabView View => _view ?? throw new InvalidOperationException("lab not up");

    public IReadOnlyList<string> Nodes => [.. View.Nodes.Select(n => n.Name)];

    /// <summary>The external LAN's Service addresses (IPv4 and IPv6) the judge probes.</summary>
    public IReadOnlyList<IPAddress> Targets => [.. _firstIngress.Keys.OrderBy(a => a.ToString(), StringComparer.Ordinal)];

    /// <summary>The API server's address and port as the nodes reach it (the lab's relay on the host's management address).</summary>
    public IPEndPoint ApiEndpoint => IPEndPoint.Parse(new Uri(View.ApiServer).Authority);

    /// <summary>The lab's LAN namespace (bridges), where the flood source goes.</summary>
    public string LanNamespace => IronLb.Lab.Topology.LabNames.Create(Lab.Name).LanNamespace;

    public string Netns(string node) => View.Nodes.Single(n => n.Name == node).Netns;

    public string Mac(string node) => View.MacOn(node, "external");

    public string NodeOfMac(string mac) => View.Nodes.FirstOrDefault(n => Mac(n.Name) == mac)?.Name ?? mac;

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

        // Every address a Service holds on the external LAN, with the first address of its Service (the election's key).
        using var connection = KubeConnection.Create(View.Kubeconfig);
        using var services = JsonDocument.Parse(await connection.GetAsync("api/v1/services", CancellationToken.None));
        var targets = new Dictionary<IPAddress, string>();
        foreach (var service in services.RootElement.GetProperty("items").EnumerateArray())
        {
            if (!service.TryGetProperty("status", out var status) || !status.TryGetProperty("loadBalancer", out var lb) || !lb.TryGetProperty("ingress", out var ingress))
            {
                continue;
            }

            var ips = ingress.EnumerateArray().Select(i => IPAddress.Parse(i.GetProperty("ip").GetString()!)).ToList();
            foreach (var ip in ips.Where(ip => LabView.LanOf(ip) == "external"))
            {
                targets[ip] = ips[0].ToString();
            }
        }

        Assert.True(targets.Count >= 2, $"the lab's example should hold several external addresses, found {targets.Count}");
        _firstIngress = targets.ToFrozenDictionary();
    }

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    /// <summary>MetalLB's election: the node that should answer for <paramref name="address"/> when <paramref name="live"/> are the speakers.</summary>
    public string OwnerOf(IPAddress address, IEnumerable<string> live) => LabView.Elect(live, _firstIngress[address]);

    public string OwnerOf(string address) => OwnerOf(IPAddress.Parse(address), Nodes);

    /// <summary>Each address's expected MAC when <paramref name="live"/> are the speakers that may answer.</summary>
    public IReadOnlyDictionary<IPAddress, string> ExpectedMacs(IEnumerable<string> live)
    {
        var nodes = live.ToList();
        return Targets.ToDictionary(t => t, t => Mac(OwnerOf(t, nodes)));
    }

    /// <summary>The addresses <paramref name="node"/> answers for when every node is live.</summary>
    public IReadOnlyList<IPAddress> OwnedBy(string node) => [.. Targets.Where(t => OwnerOf(t, Nodes) == node)];

    /// <summary>
    /// Undoes whatever a row may have left, starts the wire judge and waits until every address is answered by
    /// its elected node alone for two seconds. The returned watch runs through the row.
    /// </summary>
    internal async Task<WireWatch> HealthyAsync()
    {
        var status = LabView.Parse(await Lab.OkAsync("status", "--output", "json"));
        await Lab.RunAsync("resume", "--role", "apiserver");
        foreach (var node in status.Nodes)
        {
            await Faults.HealAsync(Netns(node.Name));
            if (node.SpeakerPid is { } pid)
            {
                await RunAsync("kill", "-CONT", pid.ToString(CultureInfo.InvariantCulture));
            }
        }

        await Faults.RemoveFloodSourceAsync(LanNamespace, Netns(Nodes[0]));
        if (status.ControllerPids.Count != 1)
        {
            await Lab.OkAsync("controller-replicas", "--replicas", "0");
        }

        await TestObjects.RemoveAllAsync(this);
        foreach (var node in status.Nodes.Where(n => n.SpeakerPid is null))
        {
            await Lab.OkAsync("restart-speaker", "--node", node.Name);
        }

        var watch = new WireWatch(await NeighbourProber.StartAsync(View.ClientOn("external").Netns, View.ClientOn("external").Interface, Targets, ProbePeriod), Targets, NodeOfMac, Lab.Logs);
        try
        {
            await watch.SettledAsync(ExpectedMacs(Nodes), TimeSpan.FromSeconds(2), "a healthy lab before the fault");
            return watch;
        }
        catch
        {
            watch.Dispose();
            throw;
        }
    }

    /// <summary>The pid of a node's speaker; fails when it does not run.</summary>
    public async Task<int> RunningSpeakerAsync(string node) => await SpeakerPidAsync(node) ?? throw new InvalidOperationException($"{node}'s speaker is not running");

    /// <summary>The pid of a node's speaker, or null when it does not run.</summary>
    public async Task<int?> SpeakerPidAsync(string node) =>
        LabView.Parse(await Lab.OkAsync("status", "--output", "json")).Nodes.Single(n => n.Name == node).SpeakerPid;

    /// <summary>
    /// Signals a speaker directly (KILL, STOP, CONT), not through `ironlb-lab`: starting that takes about a second
    /// here, which would count against the row's time to a single answerer. Take the pid before the fault.
    /// </summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        var result = await RunAsync("kill", $"-{signal}", pid.ToString(CultureInfo.InvariantCulture));
        Assert.True(result.ExitCode == 0, $"kill -{signal} {pid}: {result}");
    }

    /// <summary>Waits until the speaker of <paramref name="node"/> is gone (after a SIGTERM or a kill).</summary>
    public Task SpeakerGoneAsync(string node) =>
        WaitForAsync(async () => await SpeakerPidAsync(node) is null, $"{node}'s speaker exiting", Deadline);

    public KubeConnection Connect() => KubeConnection.Create(View.Kubeconfig);

    public string SpeakerLog(string node) => File.ReadAllText(Path.Combine(Lab.StateDirectory, $"speaker-{node}.log"));

    /// <summary>What the wire heard since the fault, and the logs from a second before it (the wire's clock is monotonic,
    /// the logs' is UTC: the fault's UTC time is now less the time since).</summary>
    internal string Explain(WireWatch wire, WireVerdict verdict) =>
        wire.Describe(verdict) + "\n" + Lab.Logs(DateTime.UtcNow - (wire.Now - verdict.Fault) - TimeSpan.FromSeconds(1));
}
