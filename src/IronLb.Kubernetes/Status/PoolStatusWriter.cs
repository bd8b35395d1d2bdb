using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// Keeps every IPAddressPool's status equal to the allocator's counters (MetalLB's pool status reconciler):
/// written when the counters change, and put back when someone overwrites it. It does not retry: a false
/// answer puts the pools back on the controller's queue, which retries with back-off.
/// </summary>
public sealed partial class PoolStatusWriter(KubeConnection connection, string ns, WriteCounter writes, ILogger logger)
{
    private readonly ResourceClient<IpAddressPoolObject> _pools = new(connection, ResourceTypes.IpAddressPools(ns));

    // What we last wrote per pool and the resourceVersion we wrote over: until the watch delivers our
    // own write, the cached object still shows the old status and must not trigger a second write.
    private readonly Dictionary<string, (IpAddressPoolStatus Status, string FromVersion)> _written = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="desired"/> (by pool name) where the pool shows something else; false when a write failed.</summary>
    public async Task<bool> SyncAsync(IReadOnlyCollection<IpAddressPoolObject> pools, IReadOnlyDictionary<string, IpAddressPoolStatus> desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(desired);
        var ok = true;
        foreach (var pool in pools)
        {
            var name = pool.Metadata.Name ?? "";
            if (!desired.TryGetValue(name, out var status))
            {
                continue;
            }

            var version = pool.Metadata.ResourceVersion ?? "";
            if (status == pool.Status || (_written.TryGetValue(name, out var w) && w.Status == status && w.FromVersion == version))
            {
                continue;
            }

            try
            {
                await _pools.PatchStatusAsync(ns, name, new IpAddressPoolObject { Status = status }, cancellationToken).ConfigureAwait(false);
                _written[name] = (status, version);
                writes.Record(failed: false);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // Deleted meanwhile; its informer event follows.
            }
            catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
            {
                writes.Record(failed: true);
                LogWriteFailed(logger, ApiFailure.StackWorthy(e), name, ApiFailure.Describe(e));
                ok = false;
            }
        }

        return ok;
    }

    [LoggerMessage(EventId = 241, Level = LogLevel.Warning, Message = "status of pool {pool} not written ({error}); retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception? exception, string pool, string error);
}
