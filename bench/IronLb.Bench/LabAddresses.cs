using System.Diagnostics;
using System.Globalization;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// More announced addresses in a running lab (`speaker-memory --addresses N`): IPv6-only LoadBalancer Services
/// added until the lab's Services hold N addresses together, each from a pool of its own in 2001:db8:3a:1::/112
/// (documentation space, outside every example pool; the example's IPv4 ranges are too small for a thousand),
/// advertised on eno2 only, as the example's external pool is. The lab's API server gives each a stand-in
/// EndpointSlice with a ready endpoint on every node, so the election spreads them over all speakers.
/// </summary>
internal static class LabAddresses
{
    private const string Namespace = "bench-addresses";
    private const string Pool = "bench-addresses";
    private const string MetalLbNamespace = "metallb-system";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>Adds Services until <paramref name="total"/> addresses are assigned, and waits until a speaker reports each one announced.</summary>
    public static async Task AddAsync(string kubeconfig, string label, int total)
    {
        using var api = KubeConnection.Create(kubeconfig);
        var services = new ResourceClient<V1Service>(api, ResourceTypes.Services);
        var existing = (await services.ListAsync(CancellationToken.None)).Items
            .Where(s => s.Spec?.Type == "LoadBalancer").Sum(s => s.Status?.LoadBalancer?.Ingress?.Count ?? 0);
        var added = Math.Max(0, total - existing);
        Print($"{label}_addresses_before", existing);
        Print($"{label}_addresses_added", added);
        if (added == 0)
        {
            return;
        }

        await api.PostAsync("api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}""", CancellationToken.None);
        await api.PostAsync($"apis/metallb.io/v1beta1/namespaces/{MetalLbNamespace}/ipaddresspools",
            $$$"""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"{{{Pool}}}"},"spec":{"autoAssign":false,"addresses":["2001:db8:3a:1::/112"]}}""", CancellationToken.None);
        await api.PostAsync($"apis/metallb.io/v1beta1/namespaces/{MetalLbNamespace}/l2advertisements",
            $$$"""{"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"{{{Pool}}}"},"spec":{"ipAddressPools":["{{{Pool}}}"],"interfaces":["eno2"]}}""", CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, added, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await api.PostAsync($"api/v1/namespaces/{Namespace}/services", $$$"""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"addr-{{{i.ToString("00000", CultureInfo.InvariantCulture)}}}","annotations":{"metallb.io/address-pool":"{{{Pool}}}"}},
                 "spec":{"type":"LoadBalancer","ipFamilyPolicy":"SingleStack","ipFamilies":["IPv6"],"allocateLoadBalancerNodePorts":false,"ports":[{"port":80,"protocol":"TCP"}]}}
                """, ct));
        Print($"{label}_addresses_created_s", clock.Elapsed.TotalSeconds);

        await UntilAsync(async () => (await services.ListAsync(Namespace, null, CancellationToken.None)).Items.Count(s => s.Status?.LoadBalancer?.Ingress?.Count > 0) == added,
            $"all {added} Services assigned");
        Print($"{label}_addresses_assigned_s", clock.Elapsed.TotalSeconds);

        var statuses = new ResourceClient<ServiceL2StatusObject>(api, ResourceTypes.ServiceL2Statuses(MetalLbNamespace));
        List<ServiceL2StatusObject> ours = [];
        await UntilAsync(async () =>
        {
            ours = [.. (await statuses.ListAsync(CancellationToken.None)).Items.Where(s => s.Status?.ServiceNamespace == Namespace && s.Status.Node is not null)];
            return ours.Select(s => s.Status!.ServiceName).Distinct().Count() == added;
        }, $"all {added} Services reported announced");
        Print($"{label}_addresses_announced_s", clock.Elapsed.TotalSeconds);

        // How evenly the election spread them: a speaker's memory follows its share.
        var perNode = ours.GroupBy(s => s.Status!.Node).Select(g => (double)g.Count()).ToList();
        Print($"{label}_added_per_speaker_min", perNode.Min());
        Print($"{label}_added_per_speaker_max", perNode.Max());
    }

    private static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > Limit)
            {
                throw new TimeoutException($"not reached in {Limit.TotalMinutes:0} minutes: {what}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
