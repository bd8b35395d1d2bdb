using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Queues;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Lab.Cluster;

/// <summary>
/// The lab's stand-in for kube-controller-manager's EndpointSlice controller, which KubeSim does not run (nor are
/// there kubelets). It watches Services and gives every LoadBalancer Service, whenever it appears, EndpointSlices:
/// those naming its pods when the lab runs pods for it (<paramref name="pods"/>, keyed "namespace/service"), else
/// one with a ready endpoint on each lab node (what a DaemonSet's pods would give); and removes them when the
/// Service goes or stops being a LoadBalancer. A speaker, like MetalLB's, announces only a Service
/// with a serving endpoint, so without this a Service created after `up` would get an address and no answer.
/// It runs in the lab's API server process, the one part of the lab that lives exactly as long as the lab.
/// </summary>
/// The keeper owns <c>connection</c> and disposes it when it stops.
internal sealed class EndpointSliceKeeper(KubeConnection connection, IReadOnlyList<string> nodes, ILookup<string, PodEndpoint> pods, TimeProvider time)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
        var services = new Informer<V1Service>(connection, ResourceTypes.Services, time, NullLogger.Instance);
        services.Changed += change => queue.Add(change.Key);
        var watching = services.RunAsync(cancellationToken);
        using var cluster = new ClusterClient(connection);
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await queue.GetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await SyncAsync(cluster, key, services.Get(key), cancellationToken).ConfigureAwait(false);
                queue.Forget(key);
            }
            catch (Exception e) when (e is HttpRequestException or KubeApiException or IOException)
            {
                // The API refused or went away for a moment: the key comes back after a back-off.
                await Console.Error.WriteLineAsync($"endpointslices for {key}: {e.Message}; trying again").ConfigureAwait(false);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }
        }

        await watching.ConfigureAwait(false);
    }

    private async Task SyncAsync(ClusterClient cluster, string key, V1Service? service, CancellationToken cancellationToken)
    {
        var (ns, name) = key.Split('/') is [var n, var s] ? (n, s) : ("", key);
        if (service?.Spec?.Type == "LoadBalancer" && pods[key].ToList() is { Count: > 0 } mine)
        {
            if (await cluster.EnsurePodEndpointsAsync(ns, name, mine, cancellationToken).ConfigureAwait(false))
            {
                await Console.Out.WriteLineAsync($"endpointslices {ns}/{ClusterClient.EndpointSliceName(name)}-ipv4/-ipv6: pods {string.Join(", ", mine.Select(p => $"{p.Name} on {p.Node}"))}").ConfigureAwait(false);
            }
        }
        else if (service?.Spec?.Type == "LoadBalancer")
        {
            if (await cluster.EnsureEndpointsAsync(new LoadBalancerService(ns, name, [], PodIndex(key)), nodes, cancellationToken).ConfigureAwait(false))
            {
                await Console.Out.WriteLineAsync($"endpointslice {ns}/{ClusterClient.EndpointSliceName(name)}: ready on {string.Join(", ", nodes)}").ConfigureAwait(false);
            }
        }
        else if (await cluster.DeleteEndpointsAsync(ns, name, cancellationToken).ConfigureAwait(false))
        {
            await Console.Out.WriteLineAsync($"endpointslices of {ns}/{name}: removed").ConfigureAwait(false);
        }
    }

    /// <summary>A stable number per Service for its "pod" addresses (data only: no interface holds them).</summary>
    private static int PodIndex(string key) => (int)(key.Aggregate(17u, (h, c) => unchecked((h * 31) + c)) % 0xfffe);
}
