using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Networking;
using IronLb.Speaker.Cluster;
using k8s;
using k8s.Models;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// The cluster speaker's cost on the API server in a steady state: KubeSim as its own process, 1,000
/// LoadBalancer Services with status and endpoints on 10 Nodes, and 10 speakers in this process (real
/// informers, real UDP heartbeats on loopback, announce tables captured instead of sent). Once every address
/// has exactly one announcer and one ServiceL2Status, requests are counted per speaker for a minute. Then one
/// speaker stops cleanly and the writes its failover causes are counted, and the managed heap per speaker is
/// estimated.
/// </summary>
internal static class SpeakerSteadyBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        var speakers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var window = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60);
        var nodes = Enumerable.Range(1, speakers).Select(i => $"node{i:00}").ToList();

        await using var api = await ApiServerProcess.StartAsync();
        using var setup = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        await SetUpAsync(setup, api.Kubeconfig, nodes, services);

        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var running = nodes.Select(n => RunningSpeaker.Start(api.Kubeconfig, n)).ToList();
        var converge = Stopwatch.StartNew();
        await WaitAsync(() => Task.FromResult(running.Sum(r => r.Announced) == services && running.SelectMany(r => r.Addresses).Distinct().Count() == services), "every address announced exactly once");
        await WaitAsync(async () => await CountL2StatusesAsync(setup) == services, "one ServiceL2Status per Service");
        Print("speakers", speakers);
        Print("services", services);
        Print("start_to_all_announced_and_reported_s", converge.Elapsed.TotalSeconds);
        Print("announced_per_speaker_min", running.Min(r => r.Announced));
        Print("announced_per_speaker_max", running.Max(r => r.Announced));

        // Let events and the last status writes drain, then count a quiet window.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Print("startup_writes_all_speakers", running.Sum(r => r.Counter.Writes));
        Print("startup_writes_per_service", running.Sum(r => r.Counter.Writes) / (double)services);
        foreach (var r in running)
        {
            r.Counter.Reset();
        }

        await Task.Delay(window);
        var minutes = window.TotalMinutes;
        Print("steady_window_s", window.TotalSeconds);
        Print("steady_requests_per_min_all_speakers", running.Sum(r => r.Counter.Total) / minutes);
        Print("steady_non_watch_requests_per_min_all_speakers", running.Sum(r => r.Counter.Total - r.Counter.Watches) / minutes);
        Print("steady_watch_reconnects_per_min_all_speakers", running.Sum(r => r.Counter.Watches) / minutes);
        Print("steady_writes_per_min_all_speakers", running.Sum(r => r.Counter.Writes) / minutes);

        GC.Collect();
        Print("managed_heap_per_speaker_mb", (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (double)speakers / 1048576.0);

        // A clean stop of the speaker with the most addresses: the writes follow the moved Services, nothing else.
        foreach (var r in running)
        {
            r.Counter.Reset();
        }

        var victim = running.OrderByDescending(r => r.Announced).First();
        var moved = victim.Announced;
        // Timed from the stop request: the victim withdraws and says goodbye first, its shutdown finishes later.
        var failover = Stopwatch.StartNew();
        var stopping = victim.DisposeAsync();
        running.Remove(victim);
        await WaitAsync(() => Task.FromResult(running.Sum(r => r.Announced) == services && running.SelectMany(r => r.Addresses).Distinct().Count() == services), "every address announced again");
        Print("failover_moved_addresses", moved);
        Print("failover_all_reannounced_s", failover.Elapsed.TotalSeconds);
        await stopping;
        Print("failover_victim_shutdown_s", failover.Elapsed.TotalSeconds);
        await WaitAsync(async () => await CountL2StatusesAsync(setup, victim.Node) == 0 && await CountL2StatusesAsync(setup) == services, "the statuses moved");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var writes = running.Sum(r => r.Counter.Writes);
        Print("failover_writes", writes);
        Print("failover_writes_per_moved_address", writes / (double)moved);

        foreach (var r in running)
        {
            await r.DisposeAsync();
        }

        return 0;
    }

    private static async Task SetUpAsync(k8s.Kubernetes client, string kubeconfig, IReadOnlyList<string> nodes, int services)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "metallb-system" } });
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } });
        await InstallCrdsAsync(kubeconfig, "ipaddresspools", "l2advertisements", "servicel2statuses", "configurationstates");

        await CreateMetalLbObjectAsync(kubeconfig, "ipaddresspools", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"bench"},"spec":{"addresses":["2001:db8:b::/112"],"autoAssign":false}}""");
        await CreateMetalLbObjectAsync(kubeconfig, "l2advertisements", """{"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"bench"},"spec":{"ipAddressPools":["bench"]}}""");
        foreach (var node in nodes)
        {
            await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
            await client.CoreV1.PatchNodeStatusAsync(new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"True"}],"addresses":[{"type":"InternalIP","address":"127.0.0.1"}]}}""", V1Patch.PatchType.MergePatch), node);
        }

        var create = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, services).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var name = $"svc-{i:0000}";
                await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
                {
                    Metadata = new V1ObjectMeta { Name = name },
                    Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
                }, "bench");
                var ip = new IPAddress([0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(i >> 8), (byte)i]).ToString();
                await client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch("{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + ip + "\"}]}}}", V1Patch.PatchType.MergePatch), name, "bench");
                await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
                {
                    Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                    AddressType = "IPv4",
                    Endpoints = [.. nodes.Select((n, k) => new V1Endpoint { Addresses = [$"10.0.{k}.1"], NodeName = n, Conditions = new V1EndpointConditions { Ready = true } })],
                }, "bench");
            }
            finally
            {
                gate.Release();
            }
        }));
        Print("setup_create_services_s", create.Elapsed.TotalSeconds);
    }

    private static async Task<int> CountL2StatusesAsync(k8s.Kubernetes client, string? node = null)
    {
        var list = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "servicel2statuses");
        return list.GetProperty("items").EnumerateArray().Count(i => node is null
            || (i.TryGetProperty("status", out var status) && status.TryGetProperty("node", out var n) && n.GetString() == node));
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"not reached in 5 minutes: {what}");
            }

            await Task.Delay(100);
        }
    }


    /// <summary>One speaker in this process with its own connection and request counter.</summary>
    private sealed class RunningSpeaker : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly KubeConnection _connection;
        private readonly ClusterSpeaker _speaker;
        private readonly Task _run;
        private volatile AnnounceTable _table = AnnounceTable.Empty;

        private RunningSpeaker(string kubeconfig, string node)
        {
            Node = node;
            _connection = KubeConnection.Create(kubeconfig, Counter);
            var options = new ClusterSpeakerOptions
            {
                Node = node,
                MembershipAddress = IPAddress.Loopback,
                MembershipPort = 0,
                MembershipKey = "bench-membership-key-0123456789"u8.ToArray(),
            };
            var quiet = IronLb.Monitoring.Logging.CreateFactory(Microsoft.Extensions.Logging.LogLevel.Error);
            _speaker = new ClusterSpeaker(_connection, options, t => _table = t, () => null, TimeProvider.System, quiet);
            _run = Task.Run(() => _speaker.RunAsync(_stop.Token));
        }

        public string Node { get; }

        public RequestCounter Counter { get; } = new();

        public int Announced => _table.Count;

        public IEnumerable<IPAddress> Addresses => _table.Addresses;

        public static RunningSpeaker Start(string kubeconfig, string node) => new(kubeconfig, node);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
            }

            _speaker.Dispose();
            _connection.Dispose();
            _stop.Dispose();
        }
    }
}
