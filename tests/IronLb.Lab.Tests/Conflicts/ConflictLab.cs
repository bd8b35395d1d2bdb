using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Lab.Processes;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Conflicts;

/// <summary>
/// A three-node lab of its own for the address-conflict tests (issue 16), with each speaker's /metrics on port 7472
/// of its node's namespace (`up --speaker-arg`), and what the tests read back: a Service's assignment, its events,
/// its ServiceL2Status conditions, a speaker's conflict metric and `ironlb status`. Rogues are lab hosts
/// (`ironlb-lab host add`) on the external LAN; every test removes its own Services and hosts.
/// </summary>
public sealed class ConflictLab : IAsyncLifetime
{
    public const string Namespace = "conflict";
    public const string Interface = "eno2";
    public const string Event = "addressConflict";
    public const string Condition = "AddressConflict";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private LabCli? _lab;
    private LabView? _view;

    internal LabCli Lab => _lab ?? throw new InvalidOperationException("lab not up");

    internal LabView View => _view ?? throw new InvalidOperationException("lab not up");

    public IReadOnlyList<string> Nodes => [.. View.Nodes.Select(n => n.Name)];

    public string Netns(string node) => View.Nodes.Single(n => n.Name == node).Netns;

    /// <summary>A node's MAC on the external LAN (eno2), lower case.</summary>
    public string Mac(string node) => View.MacOn(node, "external").ToLowerInvariant();

    public IReadOnlyList<string> NodeMacs => [.. Nodes.Select(Mac)];

    internal LabView.Client Client => View.ClientOn("external");

    /// <summary>The node that announces a Service whose first address is <paramref name="ip"/>, all speakers up.</summary>
    public string Owner(string ip) => LabView.Elect(Nodes, ip);

    public string HostNetns(string host) => $"ilab-{Lab.Name}-host-{host}";

    public async ValueTask InitializeAsync()
    {
        if (!Requirements.IsRoot && !Requirements.InCi)
        {
            return; // The tests skip (Requirements) before touching the lab.
        }

        _lab = new LabCli();
        var up = await _lab.RunAsync("up", "--nodes", "3", "--speaker-arg=--metrics-address=:7472");
        Assert.True(up.ExitCode == 0, $"up: {up}\n{_lab.Logs()}");
        _view = LabView.Parse(await _lab.OkAsync("status", "--output", "json"));
        using var api = Api();
        await api.PostAsync("api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}""", CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    public KubeConnection Api() => KubeConnection.Create(View.Kubeconfig);

    /// <summary>A single-stack Service asking for <paramref name="ip"/> by metallb.io/loadBalancerIPs (the lab gives it endpoints on every node).</summary>
    public async Task CreateServiceAsync(string name, string ip)
    {
        var family = IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
        using var api = Api();
        await api.PostAsync($"api/v1/namespaces/{Namespace}/services", $$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{name}}}","namespace":"{{{Namespace}}}","annotations":{"metallb.io/loadBalancerIPs":"{{{ip}}}"}},
             "spec":{"type":"LoadBalancer","ipFamilyPolicy":"SingleStack","ipFamilies":["{{{family}}}"],"ports":[{"name":"http","port":80,"protocol":"TCP"}]}}
            """, CancellationToken.None);
    }

    public async Task DeleteServiceAsync(string name)
    {
        using var api = Api();
        try
        {
            await api.SendAsync(HttpMethod.Delete, $"api/v1/namespaces/{Namespace}/services/{name}", null, "application/json", CancellationToken.None);
        }
        catch (KubeApiException)
        {
            // Not there: nothing to remove.
        }
    }

    /// <summary>Waits until the controller has written <paramref name="ip"/> into the Service's status; returns the wall clock (seconds) it was first seen.</summary>
    public async Task<double> AssignedAsync(string name, string ip)
    {
        double seen = 0;
        await WaitForAsync(async () =>
        {
            var ingress = await IngressAsync(name);
            seen = NeighbourCapture.Now;
            return ingress.Contains(ip);
        }, $"{Namespace}/{name} assigned {ip}", Deadline);
        return seen;
    }

    public async Task<List<string>> IngressAsync(string name)
    {
        using var api = Api();
        using var json = JsonDocument.Parse(await api.GetAsync($"api/v1/namespaces/{Namespace}/services/{name}", CancellationToken.None));
        return json.RootElement.GetProperty("status").TryGetProperty("loadBalancer", out var lb) && lb.TryGetProperty("ingress", out var ingress)
            ? [.. ingress.EnumerateArray().Select(i => i.GetProperty("ip").GetString()!)]
            : [];
    }

    public sealed record EventView(string Type, string Reason, string Message);

    /// <summary>The events about a Service (of the test namespace unless another is named).</summary>
    public async Task<List<EventView>> EventsAsync(string name, string serviceNamespace = Namespace)
    {
        using var api = Api();
        using var json = JsonDocument.Parse(await api.GetAsync($"api/v1/namespaces/{serviceNamespace}/events", CancellationToken.None));
        return [.. json.RootElement.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("involvedObject").GetProperty("name").GetString() == name)
            .Select(e => new EventView(Text(e, "type"), Text(e, "reason"), Text(e, "message")))];
    }

    /// <summary>Warning events `addressConflict` about the Service.</summary>
    public async Task<List<EventView>> ConflictEventsAsync(string name, string serviceNamespace = Namespace) =>
        [.. (await EventsAsync(name, serviceNamespace)).Where(e => e.Type == "Warning" && e.Reason == Event)];

    public sealed record ConditionView(string Node, string Type, string Status, string Reason, string Message);

    /// <summary>The conditions on every ServiceL2Status of a Service (any namespace: every speaker writes its own).</summary>
    public async Task<List<ConditionView>> ConditionsAsync(string service, string serviceNamespace = Namespace)
    {
        using var api = Api();
        using var json = JsonDocument.Parse(await api.GetAsync("apis/metallb.io/v1beta1/servicel2statuses", CancellationToken.None));
        var conditions = new List<ConditionView>();
        foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
        {
            var labels = item.GetProperty("metadata").TryGetProperty("labels", out var l) ? l : default;
            if (labels.ValueKind != JsonValueKind.Object
                || !labels.TryGetProperty("metallb.io/service-name", out var svc) || svc.GetString() != service
                || (labels.TryGetProperty("metallb.io/service-namespace", out var ns) && ns.GetString() != serviceNamespace))
            {
                continue;
            }

            var node = labels.TryGetProperty("metallb.io/node", out var n) ? n.GetString() ?? "" : "";
            if (item.TryGetProperty("status", out var status) && status.TryGetProperty("conditions", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                conditions.AddRange(list.EnumerateArray().Select(c => new ConditionView(node, Text(c, "type"), Text(c, "status"), Text(c, "reason"), Text(c, "message"))));
            }
        }

        return conditions;
    }

    /// <summary>`ironlb_address_conflicts{ip,interface}` on a speaker's /metrics, or null when the series is absent.</summary>
    public async Task<double?> ConflictMetricAsync(string node, string ip)
    {
        var text = await MetricsAsync(node);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("ironlb_address_conflicts{", StringComparison.Ordinal)
                && line.Contains($"ip=\"{ip}\"", StringComparison.Ordinal) && line.Contains($"interface=\"{Interface}\"", StringComparison.Ordinal))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>A speaker's /metrics, fetched inside its node's namespace (python3: the lab's tools have no curl guarantee).</summary>
    public async Task<string> MetricsAsync(string node)
    {
        var result = await RunAsync("ip", "netns", "exec", Netns(node), "python3", "-c",
            "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:7472/metrics',timeout=5).read().decode())");
        return result.ExitCode == 0 ? result.Stdout : "";
    }

    /// <summary>`ironlb status` against the lab, as its table prints.</summary>
    public async Task<string> IronLbStatusAsync()
    {
        var ironlb = Executables.FindIronLb(null, out var searched) ?? throw new FileNotFoundException($"no ironlb at {searched}");
        var result = await RunAsync(ironlb[0], [.. ironlb.Skip(1), "status", "--kubeconfig", View.Kubeconfig]);
        return result.Stdout + result.Stderr;
    }

    /// <summary>A host on the external LAN holding <paramref name="addresses"/> (IPv6 without DAD): the rogue.</summary>
    public Task<string> AddHostAsync(string host, params string[] addresses) =>
        Lab.OkAsync(["host", "add", host, "--lan", "external", .. addresses.SelectMany(a => new[] { "--address", a })]);

    internal Task<LabCli.Result> DeleteHostAsync(string host) => Lab.RunAsync("host", "del", host);

    /// <summary>A lab host's fixed MAC (HostPlanner's), lower case.</summary>
    public string HostMac(string host) => IronLb.Lab.Topology.HostPlanner.Mac(Lab.Name, host);

    /// <summary>Waits until the client, asking, gets answers for <paramref name="ip"/> from <paramref name="node"/>'s MAC.</summary>
    public async Task AnsweredByAsync(string ip, string node, TimeSpan? deadline = null)
    {
        var expected = Mac(node);
        List<string> last = [];
        await WaitForAsync(
            async () =>
            {
                last = (await LanProbe.AskAsync(Client.Netns, Client.Interface, IPAddress.Parse(ip))).Macs;
                return last.Contains(expected);
            },
            $"{ip} answered by {node} ({expected})", deadline ?? Deadline,
            () => Task.FromResult($"last answers [{string.Join(", ", last)}]\n{Lab.Logs()}"));
    }

    /// <summary>Polls until <paramref name="condition"/> holds, with the lab's logs on failure.</summary>
    public Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null, Func<Task<string>>? describe = null) =>
        WaitForAsync(condition, what, deadline ?? Deadline, describe ?? (() => Task.FromResult(Lab.Logs())));

    /// <summary>Elapsed wall-clock seconds since <paramref name="since"/>, for the test's diagnostic output (never asserted on).</summary>
    public static string Since(double since) => (NeighbourCapture.Now - since).ToString("F2", CultureInfo.InvariantCulture) + " s";

    public static void RequireTools()
    {
        Requirements.RootAndTools();
        Requirements.Tool("python3", "the conflict tests' metrics reader and unsolicited NA sender");
        Requirements.Tool("tcpdump", "the conflict tests' capture at the client");
    }

    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
