using System.Collections.Immutable;
using System.Globalization;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Kubernetes.Events;
using Microsoft.Extensions.Logging;

namespace IronLb.Controller;

/// <summary>
/// The pool-removal grace (docs/differences.md): Core holds a Service whose pool went away; this part gives
/// Core the time (monotonic, from the TimeProvider), says what happened in the log and on the Service, and
/// wakes the loop when a hold is due to end.
/// </summary>
public sealed partial class LoadBalancerController
{
    private const string HoldsKey = "pool-grace";

    private ITimer? _holdTimer;
    private bool _adopted;

    // Seconds since the monotonic clock's origin: only differences matter, and it never steps.
    private TimeSpan MonotonicNow => _time.GetElapsedTime(0, _time.GetTimestamp());

    private PoolRemovalGrace GraceNow() => new(MonotonicNow, _options.PoolRemovalGrace);

    /// <summary>Installs a pool set in the allocator and reports the holds it began or ended.</summary>
    private async Task ApplyPoolsAsync(Core.Configuration.LoadBalancerConfig config, CancellationToken cancellationToken)
    {
        var change = _allocator.SetPools(config, GraceNow());
        foreach (var hold in change.Held)
        {
            await ReportHeldAsync(hold, cancellationToken).ConfigureAwait(false);
        }

        foreach (var hold in change.Resumed)
        {
            var pool = _allocator.Get(hold.Key)?.Pool ?? hold.Pool;
            LogHoldResumed(_logger, hold.Key, hold.Ips, pool);
            await RecordOnServiceAsync(hold.Key, EventType.Normal, PoolRemovalGraceEvents.Kept, PoolRemovalGraceEvents.KeptMessage(hold, pool), cancellationToken).ConfigureAwait(false);
        }

        ScheduleHoldEnd();
    }

    /// <summary>
    /// Once per controller (its first full pass): Services whose status shows addresses outside every pool are
    /// held for the grace from now; the pools may have gone while no controller ran.
    /// </summary>
    private async Task AdoptOnceAsync(IEnumerable<ServiceView> services, CancellationToken cancellationToken)
    {
        if (_adopted)
        {
            return;
        }

        _adopted = true;
        foreach (var hold in ServiceSync.Adopt(_allocator, services, GraceNow()))
        {
            await ReportHeldAsync(hold, cancellationToken).ConfigureAwait(false);
        }

        ScheduleHoldEnd();
    }

    /// <summary>
    /// Ends the holds that are due and re-converges their Services, which then lose the addresses as in MetalLB;
    /// everything is reprocessed when a hold gave up an address a pool still contains.
    /// </summary>
    private bool EndHolds()
    {
        var (ended, result) = ServiceSync.EndHolds(_allocator, MonotonicNow);
        foreach (var hold in ended)
        {
            LogHoldEnded(_logger, hold.Key, hold.Ips);
            _queue.Add(ServicePrefix + hold.Key);
        }

        if (result == SyncResult.ReprocessAll)
        {
            _queue.Add(ReprocessKey);
        }

        ScheduleHoldEnd();
        return true;
    }

    /// <summary>Held Services that were deleted while no one was looking give their addresses up.</summary>
    private void ForgetHeld(Func<ServiceKey, bool> present)
    {
        foreach (var gone in _allocator.Held.Select(h => h.Key).Where(k => !present(k)).ToList())
        {
            _allocator.Unassign(gone);
        }
    }

    private async Task ReportHeldAsync(HeldAssignment hold, CancellationToken cancellationToken)
    {
        // The deadline is monotonic; people read wall-clock time, so show when it falls as the clock reads now.
        var until = (_time.GetUtcNow() + (hold.Until - MonotonicNow)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        LogHeld(_logger, hold.Key, hold.Ips, hold.Pool, until);
        await RecordOnServiceAsync(hold.Key, EventType.Warning, PoolRemovalGraceEvents.Held, PoolRemovalGraceEvents.HeldMessage(hold, until), cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordOnServiceAsync(ServiceKey key, EventType type, string reason, string message, CancellationToken cancellationToken)
    {
        if (_services.Get(key.ToString()) is { } service)
        {
            await _events.RecordAsync(EventRecorder.ReferenceTo("v1", "Service", service.Metadata), type.ToString(), reason, message, cancellationToken).ConfigureAwait(false);
        }
    }

    // One timer for the earliest deadline; it only queues a key, the loop does the work.
    private void ScheduleHoldEnd()
    {
        if (_allocator.NextHoldEnd is not { } end)
        {
            _holdTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        _holdTimer ??= _time.CreateTimer(_ => _queue.Add(HoldsKey), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var due = end - MonotonicNow;
        _holdTimer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    [LoggerMessage(EventId = 340, Level = LogLevel.Warning, Message = "service {service} keeps {ips} although no pool contains them (pool {pool} removed) until {until}")]
    private static partial void LogHeld(ILogger logger, ServiceKey service, ImmutableArray<Address> ips, string pool, string until);

    [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "pool {pool} contains {ips} again; service {service} keeps them")]
    private static partial void LogHoldResumed(ILogger logger, ServiceKey service, ImmutableArray<Address> ips, string pool);

    [LoggerMessage(EventId = 342, Level = LogLevel.Warning, Message = "pool-removal grace over for service {service}: {ips} in no pool; unassigning")]
    private static partial void LogHoldEnded(ILogger logger, ServiceKey service, ImmutableArray<Address> ips);
}
