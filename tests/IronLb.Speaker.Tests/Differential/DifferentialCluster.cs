using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.Controller;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Manifests;
using IronLb.Kubernetes.Mapping;
using IronLb.Speaker.Announcing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>What each side decided for one generated cluster.</summary>
/// <param name="Plan">`ironlb plan` over the cluster's objects as they were before the controller ran.</param>
/// <param name="Ingress">Each Service's status as the controller left it.</param>
/// <param name="PoolAnnotations">Each Service's ip-allocated-from-pool annotation as the controller left it.</param>
/// <param name="Assigned">Each pool's status (assignedIPv4, assignedIPv6) as the controller left it.</param>
/// <param name="Announcers">Per Service, the nodes whose speaker election announces it.</param>
/// <param name="Bgp">Per Service, each node's BGP decision and routes as that node's speaker evaluation made them (nodes without one left out).</param>
internal sealed record Outcome(
    PlanResult Plan,
    ImmutableDictionary<ServiceKey, ImmutableArray<string>> Ingress,
    ImmutableDictionary<ServiceKey, string?> PoolAnnotations,
    ImmutableDictionary<string, (long V4, long V6)> Assigned,
    ImmutableDictionary<ServiceKey, ImmutableArray<string>> Announcers,
    ImmutableDictionary<ServiceKey, ImmutableDictionary<string, NodeBgpAnnouncement>> Bgp);

/// <summary>
/// One KubeSim (MetalLB's CRDs applied by the real kubectl) shared by every generated cluster: each gets
/// its own configuration namespace and Service namespaces, is written through the real client, read back
/// into `ironlb plan`'s reader and planner, then converged by a fresh real controller (a restart over the
/// same objects), and finally elected by the speaker's code over fresh informers with every node live.
/// Its Services are deleted afterwards so the next cluster starts from an empty address space. RBAC is enforced:
/// the controller and the election run as deploy/'s ServiceAccounts (<see cref="DeployedAccounts"/>); only setup and
/// reading the outcome use the admin, and a denied request fails the run.
/// </summary>
internal sealed partial class DifferentialCluster : IAsyncDisposable
{
    // A fixed epoch, so creation timestamps are the generated seconds and nothing else.
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SettableClock _clock;
    private int _next;

    private DifferentialCluster(KubeSim.KubeSim api, k8s.Kubernetes client, SettableClock clock, DeployedAccounts accounts)
    {
        Api = api;
        Client = client;
        _clock = clock;
        Accounts = accounts;
    }

    /// <summary>The ServiceAccounts the controller and the election run as.</summary>
    public DeployedAccounts Accounts { get; }

    public KubeSim.KubeSim Api { get; }

    public k8s.Kubernetes Client { get; }

    public TimeSpan[] Phases { get; } = new TimeSpan[4];

    public static async Task<DifferentialCluster> StartAsync()
    {
        var clock = new SettableClock { Now = Epoch };
        var api = await KubeSim.KubeSim.StartAsync(new KubeSim.KubeSimOptions { TimeProvider = clock, EnforceRbac = true });
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        await Kubectl.OkOnceAsync(api.Kubeconfig, "apply", "-f", Path.Combine(Repository.Root, "deploy", "crds"));
        var accounts = await DeployedAccounts.InstallAsync(api, client);
        foreach (var node in ClusterGen.Nodes)
        {
            await client.CoreV1.CreateNodeAsync(new V1Node
            {
                Metadata = new V1ObjectMeta
                {
                    Name = node,
                    Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node, ["zone"] = ClusterGen.Zones[node] },
                },
            });
        }

        return new DifferentialCluster(api, client, clock, accounts);
    }

    /// <summary>Creates the cluster, runs all three sides over it, and removes its Services again.</summary>
    public async Task<Outcome> RunAsync(ClusterSpec spec)
    {
        var names = new Names(Interlocked.Increment(ref _next));
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await CreateAsync(spec, names);
            Phases[0] += watch.Elapsed;
            var plan = await PlanAsync(names);
            Phases[1] += watch.Elapsed;
            var (ingress, annotations, assigned) = await ConvergeAsync(names);
            Phases[2] += watch.Elapsed;
            var (announcers, bgp) = await ElectAsync(names);
            Phases[3] += watch.Elapsed;
            return new Outcome(plan, ingress, annotations, assigned, announcers, bgp);
        }
        finally
        {
            await DeleteServicesAsync(names);
        }
    }

    /// <summary>
    /// `ironlb plan` over exactly what the cluster holds: every object read back through the client, written
    /// as one List manifest (as `kubectl get -o json` would), read by the manifest reader and planned.
    /// </summary>
    private async Task<PlanResult> PlanAsync(Names names)
    {
        var items = new JsonArray();
        void Add<T>(T item, string apiVersion, string kind)
            where T : IMetadata<V1ObjectMeta>
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(item.WithoutManagedFields()))!.AsObject();
            node["apiVersion"] = apiVersion;
            node["kind"] = kind;
            items.Add(node);
        }

        foreach (var ns in new[] { names.Config, names.A, names.B })
        {
            Add(await Client.CoreV1.ReadNamespaceAsync(ns), "v1", "Namespace");
        }

        foreach (var node in (await Client.CoreV1.ListNodeAsync()).Items)
        {
            Add(node, "v1", "Node");
        }

        foreach (var ns in new[] { names.A, names.B })
        {
            foreach (var service in (await Client.CoreV1.ListNamespacedServiceAsync(ns)).Items)
            {
                Add(service, "v1", "Service");
            }

            foreach (var slice in (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns)).Items)
            {
                Add(slice, "discovery.k8s.io/v1", "EndpointSlice");
            }
        }

        foreach (var (plural, kind, version) in ConfigurationKinds)
        {
            var list = (JsonElement)await Client.CustomObjects.ListNamespacedCustomObjectAsync("metallb.io", version, names.Config, plural);
            foreach (var item in list.GetProperty("items").EnumerateArray())
            {
                var node = JsonNode.Parse(item.GetRawText())!.AsObject();
                node["apiVersion"] = "metallb.io/" + version;
                node["kind"] = kind;
                items.Add(node);
            }
        }

        var manifest = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items }.ToJsonString();
        var read = ManifestReader.ReadText($"{names.Config}.json", manifest, new ManifestReadOptions { ConfigNamespace = names.Config });
        Assert.True(read.FatalErrors.IsEmpty && read.Errors.IsEmpty, "the reader refused the cluster's own objects: " + string.Join("; ", read.FatalErrors.Concat(read.Errors)));
        return ClusterPlanner.Plan(read.Input);
    }

    /// <summary>
    /// A fresh controller over the objects (its start-up replay), until it is ready and the cluster has stopped
    /// changing: the global resourceVersion unchanged over several polls, with every pool's status written.
    /// </summary>
    private async Task<(ImmutableDictionary<ServiceKey, ImmutableArray<string>>, ImmutableDictionary<ServiceKey, string?>, ImmutableDictionary<string, (long, long)>)> ConvergeAsync(Names names)
    {
        using var connection = KubeConnection.Create(Accounts.ControllerKubeconfig);
        // Grace 0: a fresh controller would otherwise hold generated statuses that lie outside every pool for the
        // pool-removal grace, where plan (which has no time) shows the state after the grace (docs/differences.md).
        var options = new ControllerOptions { Namespace = names.Config, WatchTimeoutSeconds = 30, PoolRemovalGrace = TimeSpan.Zero };
        using var controller = new LoadBalancerController(connection, options, new ControllerMetrics(), TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => controller.RunAsync(stop.Token));
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var (lastVersion, quiet) = (-1L, 0);
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the controller did not settle on {names.Config} (ready={controller.Ready}); denied: {string.Join("; ", Accounts.Denials())}");
                Assert.False(run.IsFaulted, $"the controller failed: {run.Exception}");
                var version = Api.ResourceVersion;
                if (controller.Ready && version == lastVersion && await PoolStatusesWrittenAsync(names))
                {
                    if (++quiet >= 5)
                    {
                        break;
                    }
                }
                else
                {
                    quiet = 0;
                }

                lastVersion = version;
                await Task.Delay(20);
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }

        var ingress = ImmutableDictionary.CreateBuilder<ServiceKey, ImmutableArray<string>>();
        var annotations = ImmutableDictionary.CreateBuilder<ServiceKey, string?>();
        foreach (var ns in new[] { names.A, names.B })
        {
            foreach (var service in (await Client.CoreV1.ListNamespacedServiceAsync(ns)).Items)
            {
                var key = new ServiceKey(ns, service.Metadata.Name);
                ingress[key] = [.. (service.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip ?? "")];
                annotations[key] = service.Metadata.Annotations?.TryGetValue(ServiceAnnotations.IpAllocatedFromPool, out var pool) == true ? pool : null;
            }
        }

        var assigned = ImmutableDictionary.CreateBuilder<string, (long, long)>();
        foreach (var pool in await PoolsAsync(names))
        {
            var status = pool.TryGetProperty("status", out var s) ? s : default;
            assigned[pool.GetProperty("metadata").GetProperty("name").GetString()!] = (Count(status, "assignedIPv4"), Count(status, "assignedIPv6"));
        }

        return (ingress.ToImmutable(), annotations.ToImmutable(), assigned.ToImmutable());

        static long Count(JsonElement status, string field) =>
            status.ValueKind == JsonValueKind.Object && status.TryGetProperty(field, out var v) ? v.GetInt64() : -1;
    }

    private async Task<bool> PoolStatusesWrittenAsync(Names names) =>
        (await PoolsAsync(names)).All(p => p.TryGetProperty("status", out var s) && s.TryGetProperty("assignedIPv4", out _));

    private async Task<List<JsonElement>> PoolsAsync(Names names)
    {
        var list = (JsonElement)await Client.CustomObjects.ListNamespacedCustomObjectAsync("metallb.io", "v1beta1", names.Config, "ipaddresspools");
        return [.. list.GetProperty("items").EnumerateArray()];
    }

    /// <summary>
    /// The cluster speaker's evaluation (ingest, configuration, election, each node's BGP plan) for every node over
    /// fresh informers, with the membership fixed: every node's speaker is live.
    /// </summary>
    private async Task<(ImmutableDictionary<ServiceKey, ImmutableArray<string>>, ImmutableDictionary<ServiceKey, ImmutableDictionary<string, NodeBgpAnnouncement>>)> ElectAsync(Names names)
    {
        using var connection = KubeConnection.Create(Accounts.SpeakerKubeconfig);
        var logger = NullLogger.Instance;
        var services = new Informer<V1Service>(connection, ResourceTypes.Services, TimeProvider.System, logger);
        var slices = new Informer<V1EndpointSlice>(connection, ResourceTypes.EndpointSlices, TimeProvider.System, logger);
        var nodes = new Informer<V1Node>(connection, ResourceTypes.Nodes, TimeProvider.System, logger);
        var pools = new Informer<Kubernetes.Crds.IpAddressPoolObject>(connection, ResourceTypes.IpAddressPools(names.Config), TimeProvider.System, logger);
        var advertisements = new Informer<Kubernetes.Crds.L2AdvertisementObject>(connection, ResourceTypes.L2Advertisements(names.Config), TimeProvider.System, logger);
        var namespaces = new Informer<V1Namespace>(connection, ResourceTypes.Namespaces, TimeProvider.System, logger);
        var bgp = new BgpInformers(connection, names.Config, logger);
        using var stop = new CancellationTokenSource();
        Task[] runs = [services.RunAsync(stop.Token), slices.RunAsync(stop.Token), nodes.RunAsync(stop.Token), pools.RunAsync(stop.Token), advertisements.RunAsync(stop.Token), namespaces.RunAsync(stop.Token),
            .. bgp.Run(stop.Token)];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await Task.WhenAll(services.WaitForSyncAsync(timeout.Token), slices.WaitForSyncAsync(timeout.Token), nodes.WaitForSyncAsync(timeout.Token),
                    pools.WaitForSyncAsync(timeout.Token), advertisements.WaitForSyncAsync(timeout.Token), namespaces.WaitForSyncAsync(timeout.Token), bgp.WaitForSyncAsync(timeout.Token));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Assert.Fail($"the election's informers did not sync on {names.Config}; denied: {string.Join("; ", Accounts.Denials())}");
            }

            var cluster = ClusterIngest.Input(names.Config, services.Items, pools.Items, advertisements.Items, namespaces.Items, nodes.Items, slices.Items,
                bgpPeers: bgp.Peers.Items, bgpAdvertisements: bgp.Advertisements.Items, communities: bgp.Communities.Items);
            var parsed = ConfigParser.Parse(cluster.Resources);
            Assert.True(parsed.Config is not null, "the speaker refused the configuration: " + string.Join("; ", parsed.Errors));
            var announcers = new Dictionary<ServiceKey, List<string>>();
            var routes = new Dictionary<ServiceKey, Dictionary<string, NodeBgpAnnouncement>>();
            foreach (var node in ClusterGen.Nodes)
            {
                var plan = SpeakerPlanner.Decide(parsed.Config, cluster, "", node, [.. ClusterGen.Nodes]);
                foreach (var decision in plan.Services.Where(d => d.Service.Namespace == names.A || d.Service.Namespace == names.B))
                {
                    (announcers.TryGetValue(decision.Service, out var list) ? list : announcers[decision.Service] = []).AddRange(decision.Announces ? [node] : []);
                }

                foreach (var decision in plan.Bgp.Services.Where(d => d.Service.Namespace == names.A || d.Service.Namespace == names.B))
                {
                    (routes.TryGetValue(decision.Service, out var perNode) ? perNode : routes[decision.Service] = new(StringComparer.Ordinal))[node] = decision.Announcement;
                }
            }

            return (announcers.ToImmutableDictionary(a => a.Key, a => a.Value.ToImmutableArray()),
                routes.ToImmutableDictionary(r => r.Key, r => r.Value.ToImmutableDictionary(StringComparer.Ordinal)));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    private async Task DeleteServicesAsync(Names names)
    {
        foreach (var ns in new[] { names.A, names.B })
        {
            foreach (var service in (await Client.CoreV1.ListNamespacedServiceAsync(ns)).Items)
            {
                await Client.CoreV1.DeleteNamespacedServiceAsync(service.Metadata.Name, ns);
            }

            foreach (var slice in (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns)).Items)
            {
                await Client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(slice.Metadata.Name, ns);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Api.DisposeAsync();
        // deploy/'s rules must be enough: a denied request that did not change the outcome is a failure too.
        var denied = Accounts.Denials();
        Assert.True(denied.Count == 0, "deploy/'s rules were not enough: " + string.Join("; ", denied));
    }

    /// <summary>One cluster's namespaces: its configuration namespace and its two Service namespaces.</summary>
    private sealed record Names(int Index)
    {
        public string Config => $"lb-{Index.ToString(CultureInfo.InvariantCulture)}";

        public string A => $"c{Index.ToString(CultureInfo.InvariantCulture)}-a";

        public string B => $"c{Index.ToString(CultureInfo.InvariantCulture)}-b";

        public string Of(string generated) => generated == "a" ? A : B;
    }

    /// <summary>KubeSim's clock for creation timestamps only; its timers still run on real time.</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
