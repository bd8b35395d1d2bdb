using System.Globalization;
using k8s;
using k8s.Models;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// The cluster the controller benches allocate in, on a KubeSim process: metallb-system, MetalLB's pool CRDs,
/// 50 IPv4 pools of 10.P.0.0/24 (12,800 addresses: documentation space holds too few, and these never leave the
/// API server: no speaker runs, nothing is sent on any network) and LoadBalancer Services in default.
/// </summary>
internal static class ControllerCluster
{
    public const int Pools = 50;

    public static async Task SetUpAsync(k8s.Kubernetes client, string kubeconfig)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "metallb-system" } });
        await InstallCrdsAsync(kubeconfig, "ipaddresspools", "configurationstates");
        for (var p = 0; p < Pools; p++)
        {
            var pool = "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"IPAddressPool\",\"metadata\":{\"name\":\"pool-" + p.ToString("00", CultureInfo.InvariantCulture)
                + "\"},\"spec\":{\"addresses\":[\"10." + p.ToString(CultureInfo.InvariantCulture) + ".0.0/24\"]}}";
            await CreateMetalLbObjectAsync(kubeconfig, "ipaddresspools", pool);
        }
    }

    public static async Task CreateServicesAsync(k8s.Kubernetes client, int from, int count)
    {
        await Parallel.ForAsync(from, from + count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = $"svc-{i:00000}" },
                // 11,000 Services would exhaust the node port range (30000-32767), as on a real cluster.
                Spec = new V1ServiceSpec { Type = "LoadBalancer", AllocateLoadBalancerNodePorts = false, Ports = [new V1ServicePort { Port = 80 }] },
            }, "default", cancellationToken: ct));
    }

    /// <summary>How many Services in default hold an address.</summary>
    public static async Task<int> AssignedAsync(k8s.Kubernetes client) =>
        (await client.CoreV1.ListNamespacedServiceAsync("default")).Items.Count(s => s.Status?.LoadBalancer?.Ingress?.Count == 1);

    public static async Task WaitAllAssignedAsync(k8s.Kubernetes client, int count)
    {
        while (await AssignedAsync(client) < count)
        {
            await Task.Delay(200);
        }
    }
}
