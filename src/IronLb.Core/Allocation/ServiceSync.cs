namespace IronLb.Core.Allocation;

/// <summary>What the reconcile loop should do next (MetalLB's SyncState).</summary>
public enum SyncResult
{
    Success,

    /// <summary>Retry this Service with back-off (a write failed).</summary>
    Error,

    /// <summary>Re-run every Service: an address was freed or sharing conditions changed.</summary>
    ReprocessAll,

    /// <summary>Failed; retried only when something triggers a reprocess-all.</summary>
    ErrorNoRetry,
}

/// <summary>The outcome of syncing one Service: the converge decision (null when nothing ran) and the next step.</summary>
public sealed record ServiceSyncResult(SyncResult Result, ConvergeResult? Converge);

/// <summary>MetalLB's SetBalancer around <see cref="ServiceConverger"/>: deletions, and when to reprocess everything.</summary>
public static class ServiceSync
{
    /// <param name="allocator">The controller's allocator.</param>
    /// <param name="key">The Service's key.</param>
    /// <param name="service">The Service, or null when it was deleted.</param>
    public static ServiceSyncResult Sync(Allocator allocator, ServiceKey key, ServiceView? service)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        if (service is null)
        {
            // Other pending Services may fit into what this one held.
            return new ServiceSyncResult(allocator.Unassign(key) ? SyncResult.ReprocessAll : SyncResult.Success, null);
        }

        var before = allocator.Get(key);
        var converge = ServiceConverger.Converge(service, allocator);
        var after = allocator.Get(key);

        var keyChanged = before is not null && after is not null
            && (!string.Equals(before.SharingKey, after.SharingKey, StringComparison.Ordinal)
                || !string.Equals(before.BackendKey, after.BackendKey, StringComparison.Ordinal));
        var freed = before is not null && after is null && allocator.PoolFor(before.Ips) is not null;
        var result = keyChanged || freed ? SyncResult.ReprocessAll
            : converge.Succeeded ? SyncResult.Success
            : SyncResult.ErrorNoRetry;
        return new ServiceSyncResult(result, converge);
    }
}
