using System.Collections.Immutable;

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

        // MetalLB does nothing until the first configuration: "no pools yet" must not strip every status.
        if (!allocator.HasConfig)
        {
            return new ServiceSyncResult(SyncResult.Success, null);
        }

        // A held Service counts too: its hold may include an address that a pool contains again.
        var before = allocator.Get(key) ?? allocator.HeldFor(key)?.Allocation;
        var converge = ServiceConverger.Converge(service, allocator);
        var after = allocator.Get(key);

        var keyChanged = before is not null && after is not null
            && (!string.Equals(before.SharingKey, after.SharingKey, StringComparison.Ordinal)
                || !string.Equals(before.BackendKey, after.BackendKey, StringComparison.Ordinal));

        // Any address given up that a pool still holds may be what a pending Service waits for (MetalLB
        // only notices when a Service loses all of them; a move from X to Y frees X as well).
        var freed = before is not null
            && before.Ips.Except(after?.Ips ?? []).Any(ip => allocator.PoolFor([ip]) is not null);
        var result = keyChanged || freed ? SyncResult.ReprocessAll
            : converge.Succeeded ? SyncResult.Success
            : SyncResult.ErrorNoRetry;
        return new ServiceSyncResult(result, converge);
    }

    /// <summary>
    /// Ends the holds that are due (<see cref="Allocator.EndHolds"/>). <see cref="SyncResult.ReprocessAll"/> when
    /// one of them gave up an address that a pool contains: a hold can span a removed range and a kept one, and a
    /// pending Service may be waiting for the kept address.
    /// </summary>
    public static (ImmutableArray<HeldAssignment> Ended, SyncResult Result) EndHolds(Allocator allocator, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        var ended = allocator.EndHolds(now);
        var freed = ended.Any(hold => hold.Ips.Any(ip => allocator.PoolFor([ip]) is not null));
        return (ended, freed ? SyncResult.ReprocessAll : SyncResult.Success);
    }

    /// <summary>
    /// A whole pass over every Service (start-up and reprocess-all), in <see cref="ReplayOrder"/>: first
    /// every Service re-claims the addresses its status shows, quietly; only then does each converge. A
    /// one-pass replay would let an early Service's PreferDualStack step take an address a later Service
    /// still shows, and that Service would lose it across a controller restart. The caller filters by
    /// --lb-class and writes the results; a result of <see cref="SyncResult.ReprocessAll"/> asks for
    /// another pass over the Services as written.
    /// </summary>
    public static IReadOnlyList<(ServiceView Service, ServiceSyncResult Result)> Replay(Allocator allocator, IEnumerable<ServiceView> services)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(services);
        var ordered = ReplayOrder.Sort(services);
        Reserve(allocator, ordered);
        return [.. ordered.Select(s => (s, Sync(allocator, s.Key, s)))];
    }

    /// <summary>
    /// The Service as it reads after its converge result was written (status and the pool annotation):
    /// what the next pass of a replay sees.
    /// </summary>
    public static ServiceView Written(ServiceView service, ConvergeResult result)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Changed)
        {
            return service;
        }

        var annotations = result.PoolAnnotation is null
            ? service.Annotations.Remove(ServiceAnnotations.IpAllocatedFromPool)
            : service.Annotations.SetItem(ServiceAnnotations.IpAllocatedFromPool, result.PoolAnnotation);
        return service with { IngressIps = result.Ingress, Annotations = annotations };
    }

    /// <summary>
    /// A controller's start-up, before its first <see cref="Replay"/>: Services whose status shows addresses
    /// that no pool contains (the pools were deleted while no controller ran, or before this one started)
    /// are held on them for the grace, as if the pool had gone now. Without a grace nothing happens and the
    /// replay clears them, as MetalLB does. Visits Services in <see cref="ReplayOrder"/>.
    /// </summary>
    public static IReadOnlyList<HeldAssignment> Adopt(Allocator allocator, IEnumerable<ServiceView> services, PoolRemovalGrace grace)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(services);
        var adopted = new List<HeldAssignment>();
        if (!grace.Enabled || !allocator.HasConfig)
        {
            return adopted;
        }

        foreach (var service in ReplayOrder.Sort(services.Where(s => s.IsLoadBalancer && !s.ClusterIps.IsDefaultOrEmpty)))
        {
            var texts = service.IngressIps.Where(ip => ip.Length > 0).ToList();
            if (texts.Count > 0 && Families.TryParseFamily(texts, out var shown, out _, out _)
                && allocator.Adopt(ServiceConverger.RequestFor(service), shown, service.Annotations.GetValueOrDefault(ServiceAnnotations.IpAllocatedFromPool), grace) is { } hold)
            {
                adopted.Add(hold);
            }
        }

        return adopted;
    }

    /// <summary>The first phase of <see cref="Replay"/>: Services the allocator does not know yet re-claim what their status shows.</summary>
    private static void Reserve(Allocator allocator, IEnumerable<ServiceView> services)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(services);
        if (!allocator.HasConfig)
        {
            return;
        }

        foreach (var service in services.Where(s => s.IsLoadBalancer && allocator.Get(s.Key) is null))
        {
            var texts = service.IngressIps.Where(ip => ip.Length > 0).ToList();
            if (texts.Count > 0 && Families.TryParseFamily(texts, out var held, out _, out _))
            {
                // Failures are fine here: converge reports them (ClearAssignment) in the second phase.
                allocator.Assign(ServiceConverger.RequestFor(service), held, service.Annotations.GetValueOrDefault(ServiceAnnotations.IpAllocatedFromPool));
            }
        }
    }
}
