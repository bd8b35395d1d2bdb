using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;

namespace IronLb.Controller;

/// <summary>
/// Keeps every IPAddressPool's status equal to the allocator's counters (MetalLB's pool status
/// reconciler): written when the counters change, and put back when someone overwrites it.
/// </summary>
internal sealed class PoolStatusWriter(KubeConnection connection, string ns, ControllerMetrics metrics)
{
    // What we last wrote per pool and the resourceVersion we wrote over: until the watch delivers our
    // own write, the cached object still shows the old status and must not trigger a second write.
    private readonly Dictionary<string, (IpAddressPoolStatus Status, string FromVersion)> _written = new(StringComparer.Ordinal);

    /// <summary>False when a write failed (retry later).</summary>
    public async Task<bool> SyncAsync(IReadOnlyCollection<IpAddressPoolObject> pools, CancellationToken cancellationToken)
    {
        var ok = true;
        var stats = metrics.Pools.ToDictionary(p => p.Pool, StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            var name = pool.Metadata.Name ?? "";
            if (!stats.TryGetValue(name, out var s))
            {
                continue;
            }

            var desired = new IpAddressPoolStatus
            {
                AssignedIPv4 = s.InUseV4,
                AssignedIPv6 = s.InUseV6,
                AvailableIPv4 = s.TotalV4 - s.InUseV4,
                AvailableIPv6 = s.TotalV6 == long.MaxValue ? long.MaxValue : s.TotalV6 - s.InUseV6,
            };
            var version = pool.Metadata.ResourceVersion ?? "";
            if (desired == pool.Status || (_written.TryGetValue(name, out var w) && w.Status == desired && w.FromVersion == version))
            {
                continue;
            }

            var patch = "{\"status\":" + JsonSerializer.Serialize(desired, CrdJsonContext.Default.IpAddressPoolStatus) + "}";
            try
            {
                await connection.PatchAsync($"{ResourceTypes.MetalLbPath(ns, "ipaddresspools")}/{name}/status", patch, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
                _written[name] = (desired, version);
                metrics.Update(failed: false);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // Deleted meanwhile; its informer event follows.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                metrics.Update(failed: true);
                ok = false;
            }
        }

        return ok;
    }
}
