using IronLb.Speaker.Membership.Ring;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Networking;
using IronLb.Speaker.Cluster;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// KubeSim with MetalLB's CRDs (applied by the real kubectl), Nodes, a pool and an L2Advertisement, and
/// cluster speakers run in this process against it through the real client. Their membership runs over
/// real UDP on loopback; each speaker's announce table is captured instead of going to the wire. RBAC is
/// enforced: speakers run as deploy/'s ServiceAccount ironlb-speaker, bound by deploy/rbac/speaker.yaml's objects.
/// </summary>
internal sealed class SpeakerCluster : IAsyncDisposable
{
    public static readonly byte[] Key = "0123456789abcdef0123456789abcdef"u8.ToArray();

    private readonly ConcurrentDictionary<string, Running> _speakers = new(StringComparer.Ordinal);

    private SpeakerCluster(KubeSim.KubeSim api, k8s.Kubernetes client)
    {
        Api = api;
        Client = client;
    }

    public KubeSim.KubeSim Api { get; }

    public k8s.Kubernetes Client { get; }

    /// <summary>A kubeconfig acting as the ServiceAccount ironlb-speaker (what every speaker here runs with).</summary>
    public string SpeakerKubeconfig { get; private set; } = "";

    public static async Task<SpeakerCluster> StartAsync(params string[] nodes)
    {
        var api = await KubeSim.KubeSim.StartAsync(new KubeSim.KubeSimOptions { EnforceRbac = true });
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        var cluster = new SpeakerCluster(api, client);
        await cluster.KubectlAsync("apply", "-f", Path.Combine(RepoRoot, "deploy", "crds"));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "metallb-system" } });
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "web" } });
        api.CreateFromYaml(await File.ReadAllTextAsync(Path.Combine(RepoRoot, "deploy", "rbac", "speaker.yaml")));
        cluster.SpeakerKubeconfig = api.WriteKubeconfigFor("metallb-system", "ironlb-speaker");
        foreach (var node in nodes)
        {
            await cluster.CreateNodeAsync(node);
        }

        return cluster;
    }

    public static string RepoRoot => IronLb.Testing.Repository.Root;

    /// <summary>Short, so a deleted Lease is back within a second or so.</summary>
    public static readonly TimeSpan LeaseRenewInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Membership timing five times slower than the defaults: these tests are about the API side, and several
    /// clusters of speakers share one process on a busy CI machine, where a thread-pool stall of half a second
    /// would otherwise fence a node or get it removed. Failover speed is the lab's to test (FailoverTests).
    /// </summary>
    internal static readonly RingOptions RelaxedRing = new()
    {
        HeardWindow = TimeSpan.FromSeconds(2),
        FenceWindow = TimeSpan.FromMilliseconds(1750),
        HearYouWindow = TimeSpan.FromMilliseconds(1250),
    };

    /// <summary>Nodes in MetalLB's election order for the address: sha256("node#ip"), ascending bytes.</summary>
    public static List<string> ElectionOrder(string ip, IEnumerable<string> nodes) =>
        [.. nodes.OrderBy(n => IronLb.Core.Announcement.L2Election.Hash(n, ip), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))];

    /// <summary>The Leases in metallb-system.</summary>
    public async Task<IList<V1Lease>> LeasesAsync() => (await Client.CoordinationV1.ListNamespacedLeaseAsync("metallb-system")).Items;

        public async Task CreateNodeAsync(string name, bool ready = true)
    {
        await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } } });
        var patch = new V1Patch(
            "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\"}],\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}]}}",
            V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNodeStatusAsync(patch, name);
    }

    public Task CreateObjectAsync(string plural, string json) =>
        Client.CreateNamespacedCustomObjectAsync(json, "metallb.io", "v1beta1", "metallb-system", plural);

    public Task CreatePoolAsync(string name, string addresses) =>
        CreateObjectAsync("ipaddresspools", "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"IPAddressPool\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"addresses\":" + addresses + ",\"autoAssign\":false}}");

    public Task CreateAdvertisementAsync(string name, string pool, string interfaces = "[]") =>
        CreateObjectAsync("l2advertisements", "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"L2Advertisement\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"ipAddressPools\":[\"" + pool + "\"],\"interfaces\":" + interfaces + "}}");

    /// <summary>A LoadBalancer Service with the status the controller would have written, and a ready endpoint on each given node.</summary>
    public async Task CreateServiceAsync(string ns, string name, string[] ips, string[] endpointNodes, bool local = false)
    {
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }], ExternalTrafficPolicy = local ? "Local" : "Cluster" },
        }, ns);
        await SetIngressAsync(ns, name, ips);
        await SetEndpointsAsync(ns, name, endpointNodes);
    }

    public Task SetIngressAsync(string ns, string name, string[] ips)
    {
        var ingress = string.Join(',', ips.Select(ip => "{\"ip\":\"" + ip + "\"}"));
        return Client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch("{\"status\":{\"loadBalancer\":{\"ingress\":[" + ingress + "]}}}", V1Patch.PatchType.MergePatch), name, ns);
    }

    public async Task SetEndpointsAsync(string ns, string service, string[] readyNodes)
    {
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = service + "-slice", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
            AddressType = "IPv4",
            Endpoints = [.. readyNodes.Select((n, i) => new V1Endpoint { Addresses = [$"10.0.0.{i + 1}"], NodeName = n, Conditions = new V1EndpointConditions { Ready = true } })],
        };
        try
        {
            var existing = await Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(slice.Metadata.Name, ns);
            slice.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns);
        }
    }

    /// <summary>Starts a speaker for the node: its own connection, membership on 127.0.0.1 at a free port.</summary>
    public void Start(string node, Func<IReadOnlySet<string>?>? localInterfaces = null, byte[]? key = null, bool insecure = false, string? podName = null, Func<string?>? replies = null,
        Microsoft.Extensions.Logging.ILoggerFactory? logs = null, TimeSpan? leaseRenewInterval = null, Func<IronLb.Networking.Egress.EgressRuleSet, string?>? programEgress = null,
        ConflictHooks? conflicts = null, IronLb.Speaker.Bgp.BgpSessions? bgp = null)
    {
        var connection = KubeConnection.Create(SpeakerKubeconfig);
        var options = new ClusterSpeakerOptions
        {
            Node = node,
            MembershipAddress = IPAddress.Loopback,
            MembershipPort = 0,
            MembershipKey = key ?? (insecure ? null : Key),
            InsecureMembership = insecure,
            PodName = podName,
            WatchTimeoutSeconds = 30,
            LeaseRenewInterval = leaseRenewInterval ?? LeaseRenewInterval,
            Ring = RelaxedRing,
            Conflicts = conflicts?.Settings ?? new(),
        };
        var tables = new Tables();
        var speaker = new ClusterSpeaker(connection, options, tables.Set, localInterfaces ?? (() => null), TimeProvider.System,
            logs ?? (Environment.GetEnvironmentVariable("IRONLB_TEST_LOG") == "1" ? IronLb.Monitoring.Logging.CreateFactory(Microsoft.Extensions.Logging.LogLevel.Information) : NullLoggerFactory.Instance)) {
            Replies = replies,
            ProgramEgress = programEgress,
            ProbeLan = conflicts?.Probe,
            DefendAddress = conflicts?.Defend,
            LocalMacs = conflicts?.Macs,
            BgpSessions = bgp,
        };
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => speaker.RunAsync(stop.Token));
        Assert.True(_speakers.TryAdd(node, new Running(speaker, connection, stop, run, tables)), $"{node} already runs");
    }

    internal ClusterSpeaker Speaker(string node) => _speakers[node].Speaker;

    /// <summary>A speaker's LAN for the conflict tests: probes, defences and its own MACs, all in the test's hands.</summary>
    public sealed record ConflictHooks(
        Func<IronLb.Speaker.Conflicts.ProbeRequest, CancellationToken, Task<IronLb.Speaker.Conflicts.ProbeResult>> Probe,
        Func<IronLb.Speaker.Conflicts.DefenceRequest, int> Defend,
        Func<IReadOnlyList<string>> Macs,
        IronLb.Speaker.Conflicts.ConflictSettings? Settings = null);

    /// <summary>Whether the node's speaker was started and has not returned or failed.</summary>
    public bool IsRunning(string node) => _speakers.TryGetValue(node, out var s) && !s.Run.IsCompleted;

    /// <summary>The addresses the node's speaker currently answers for.</summary>
    public IReadOnlyList<string> Announced(string node) =>
        _speakers.TryGetValue(node, out var s) ? [.. s.Tables.Current.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal)] : [];

    /// <summary>Which running speakers announce the address.</summary>
    public IReadOnlyList<string> AnnouncersOf(string ip) => [.. _speakers.Where(s => Announced(s.Key).Contains(ip)).Select(s => s.Key).Order(StringComparer.Ordinal)];

    /// <summary>Stops the node's speaker the clean way (withdraw, goodbye).</summary>
    public async Task StopAsync(string node)
    {
        Assert.True(_speakers.TryRemove(node, out var s), $"{node} is not running");
        await s.StopAsync();
    }

    public async Task<List<JsonElement>> ListAsync(string plural)
    {
        var list = await Client.CustomObjects.ListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", plural);
        return [.. ((JsonElement)list).GetProperty("items").EnumerateArray()];
    }

    public Task<string> KubectlAsync(params string[] args) => Kubectl.OkOnceAsync(Api.Kubeconfig, args);

    /// <summary>Polls until the condition holds; generous deadline, never a timed assertion.</summary>
    public static Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 60) =>
        Eventually.UntilAsync(probe, condition, what, seconds);

    public static Task<T> EventuallyAsync<T>(Func<T> probe, Func<T, bool> condition, string what, int seconds = 60) =>
        EventuallyAsync(() => Task.FromResult(probe()), condition, what, seconds);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _speakers.Keys.ToList())
        {
            if (_speakers.TryRemove(node, out var s))
            {
                await s.StopAsync();
            }
        }

        Client.Dispose();
        await Api.DisposeAsync();
        // deploy/'s rules must be enough: a denied request the speaker shrugged off is a failure too (unless the test
        // took a rule away on purpose).
        var denied = Api.Audit.Of("system:serviceaccount:metallb-system:ironlb-speaker").Where(e => !e.Allowed).Distinct().ToList();
        Assert.True(ExpectDenials || denied.Count == 0, $"the speaker was denied: {string.Join("; ", denied)}");
    }

    /// <summary>Set by tests that remove a rule on purpose (DenialTests).</summary>
    public bool ExpectDenials { get; set; }


    /// <summary>The announce tables one speaker published, newest last.</summary>
    internal sealed class Tables
    {
        private volatile AnnounceTable _current = AnnounceTable.Empty;

        public AnnounceTable Current => _current;

        public void Set(AnnounceTable table) => _current = table;
    }

    private sealed record Running(ClusterSpeaker Speaker, KubeConnection Connection, CancellationTokenSource Stop, Task Run, Tables Tables)
    {
        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            try
            {
                await Run;
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Speaker.Dispose();
                Connection.Dispose();
                Stop.Dispose();
            }
        }
    }
}
