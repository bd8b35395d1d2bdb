using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Events;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Mapping;
using IronLb.Kubernetes.Queues;
using IronLb.Kubernetes.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Controller;

/// <summary>
/// The allocation controller (MetalLB's controller, §3.1): informers for Services, IPAddressPools and
/// Namespaces feed one keyed queue; one loop converges Services through Core and writes status, the pool
/// annotation, events and pool status. Service events wait until the first full pass has replayed every
/// Service that already holds addresses, so none of them is ever handed to someone else.
/// </summary>
public sealed partial class LoadBalancerController : IDisposable
{
    private const string ConfigKey = "config";
    private const string ReprocessKey = "reprocess-all";
    private const string PoolStatusKey = "pool-status";
    private const string ServicePrefix = "svc/";

    private readonly KubeConnection _connection;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WorkQueue<string> _queue;
    private readonly Allocator _allocator = new();
    private readonly HashSet<string> _deferred = new(StringComparer.Ordinal);
    private readonly Informer<V1Service> _services;
    private readonly Informer<IpAddressPoolObject> _pools;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly ServiceStatusWriter _statusWriter;
    private readonly PoolStatusWriter _poolStatusWriter;
    private readonly ConfigurationStateReporter _stateReporter;
    private readonly EventRecorder _events;
    private LoadBalancerConfig? _config;
    private string _lastConfigErrors = "";
    private volatile bool _ready;

    public LoadBalancerController(KubeConnection connection, ControllerOptions options, ControllerMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _connection = connection;
        _options = options;
        _time = time;
        Metrics = metrics;
        _logger = loggerFactory.CreateLogger<LoadBalancerController>();
        _queue = new WorkQueue<string>(time);
        var informerLogger = loggerFactory.CreateLogger("IronLb.Informer");
        _services = new Informer<V1Service>(connection, ResourceTypes.ServicesTrimmed, time, informerLogger)
        {
            WatchTimeoutSeconds = options.WatchTimeoutSeconds, WatchIdleTimeout = options.WatchIdleTimeout, RelistInterval = options.RelistInterval,
        };
        _pools = new Informer<IpAddressPoolObject>(connection, ResourceTypes.IpAddressPools(options.Namespace), time, informerLogger)
        {
            WatchTimeoutSeconds = options.WatchTimeoutSeconds, WatchIdleTimeout = options.WatchIdleTimeout, RelistInterval = options.RelistInterval,
        };
        _namespaces = new Informer<V1Namespace>(connection, ResourceTypes.Namespaces, time, informerLogger)
        {
            WatchTimeoutSeconds = options.WatchTimeoutSeconds, WatchIdleTimeout = options.WatchIdleTimeout, RelistInterval = options.RelistInterval,
        };
        _events = new EventRecorder(connection, "metallb-controller", time, loggerFactory.CreateLogger<EventRecorder>());
        var writeLogger = loggerFactory.CreateLogger("IronLb.Status");
        _statusWriter = new ServiceStatusWriter(connection, _events, metrics.Writes, writeLogger);
        _poolStatusWriter = new PoolStatusWriter(connection, options.Namespace, metrics.Writes, writeLogger);
        _stateReporter = new ConfigurationStateReporter(connection, ConfigurationStateIdentity.Controller(options.Namespace), time, metrics.Writes, writeLogger);
    }

    public ControllerMetrics Metrics { get; }

    /// <summary>True once the first full pass over all Services succeeded.</summary>
    public bool Ready => _ready;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _services.Changed += change => _queue.Add(ServicePrefix + change.Key);
        _pools.Changed += OnPoolChanged;
        _namespaces.Changed += change =>
        {
            // Only labels matter (namespaceSelectors); a new or deleted namespace changes them too.
            if (change.Type != ChangeType.Updated || !SameLabels(change.Old?.Metadata?.Labels, change.New?.Metadata?.Labels))
            {
                _queue.Add(ConfigKey);
            }
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Reporting runs beside allocation: a failed ConfigurationState write never holds up an address.
        _stateReporter.Publish();
        var informers = new[] { _services.RunAsync(stop.Token), _pools.RunAsync(stop.Token), _namespaces.RunAsync(stop.Token), _stateReporter.RunAsync(stop.Token) };
        try
        {
            await Task.WhenAll(_services.WaitForSyncAsync(cancellationToken), _pools.WaitForSyncAsync(cancellationToken), _namespaces.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
            LogSynced(_logger, _services.Items.Count, _pools.Items.Count);
            _queue.Add(ConfigKey);
            while (!cancellationToken.IsCancellationRequested)
            {
                var key = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
                bool ok;
                try
                {
                    ok = await ProcessAsync(key, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    // Anything short of our own end (a request timeout is a cancellation too) is retried with back-off.
                    LogProcessFailed(_logger, ApiFailure.StackWorthy(e), key, ApiFailure.Describe(e));
                    ok = false;
                }

                if (ok)
                {
                    _queue.Forget(key);
                }
                else
                {
                    _queue.AddRateLimited(key);
                }

                _queue.Done(key);
                PublishPoolStats();
                if (_queue.Count == 0 && !await TrySyncPoolStatusAsync(cancellationToken).ConfigureAwait(false))
                {
                    _queue.AddRateLimited(PoolStatusKey);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(informers.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    private void OnPoolChanged(InformerChange<IpAddressPoolObject> change)
    {
        // Status-only updates (generation unchanged) only need the status put back; spec changes re-parse.
        var statusOnly = change.Type == ChangeType.Updated && change.Old?.Metadata.Generation == change.New?.Metadata.Generation
            && change.Old?.Metadata.Generation is not null;
        _queue.Add(statusOnly ? PoolStatusKey : ConfigKey);
    }

    private async Task<bool> ProcessAsync(string key, CancellationToken cancellationToken)
    {
        switch (key)
        {
            case ConfigKey:
                return await ProcessConfigAsync(cancellationToken).ConfigureAwait(false);
            case ReprocessKey:
                {
                    // Out here, so that nothing of the pass is still referenced when the heap is handed back.
                    var done = await ReprocessAllAsync(cancellationToken).ConfigureAwait(false);
                    if (done)
                    {
                        HeapReturn.AfterFullPass(_logger);
                    }

                    return done;
                }

            case HoldsKey:
                return EndHolds();
            case PoolStatusKey:
                PublishPoolStats();
                return await SyncPoolStatusAsync(cancellationToken).ConfigureAwait(false);
            default:
                return await ProcessServiceAsync(key[ServicePrefix.Length..], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> ProcessConfigAsync(CancellationToken cancellationToken)
    {
        var parsed = ConfigParser.Parse(ClusterIngest.Resources(_options.Namespace, _pools.Items, namespaces: _namespaces.Items));
        var errors = parsed.Errors.Select(e => e.ToString()).ToList();
        _stateReporter.Report(errors);
        if (parsed.Config is null)
        {
            // Keep the last good configuration; say so everywhere an operator looks.
            Metrics.ConfigStale();
            var joined = string.Join('\n', errors);
            if (joined != _lastConfigErrors)
            {
                _lastConfigErrors = joined;
                foreach (var error in parsed.Errors)
                {
                    LogConfigError(_logger, error.ToString());
                    var pool = _pools.Items.FirstOrDefault(p => p.Metadata.Name == error.Target.Name);
                    if (pool is not null)
                    {
                        await _events.RecordAsync(PoolReference(pool), "Warning", "ConfigurationError", error.Message, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            return true;
        }

        _lastConfigErrors = "";
        Metrics.ConfigLoaded(stale: false);
        if (_config is null || !parsed.Config.AllocatesLike(_config))
        {
            LogConfigApplied(_logger, parsed.Config.Pools.Length);
            await ApplyPoolsAsync(parsed.Config, cancellationToken).ConfigureAwait(false);
            _config = parsed.Config;
            _queue.Add(ReprocessKey);
        }

        return true;
    }

    private async Task<bool> ReprocessAllAsync(CancellationToken cancellationToken)
    {
        if (_config is null)
        {
            return true;
        }

        // Core's replay: every Service re-claims what its status shows, then each converges in Core's replay
        // order (the one `ironlb plan` follows); then the results are written in that order.
        var services = _services.Items.ToDictionary(s => CoreMapping.KeyOf(s));
        var views = ClusterIngest.Services(services.Values).Where(Handles).ToList();
        await AdoptOnceAsync(views, cancellationToken).ConfigureAwait(false);
        var clean = true;
        foreach (var (view, sync) in ServiceSync.Replay(_allocator, views))
        {
            var result = await WriteAsync(view.Key, services[view.Key], sync, cancellationToken).ConfigureAwait(false);
            clean &= result is SyncResult.Success or SyncResult.ErrorNoRetry;
        }

        // Allocations of Services that vanished while no one was looking.
        foreach (var gone in _allocator.Allocations.Select(a => a.Key).Where(k => !services.ContainsKey(k)).ToList())
        {
            _allocator.Unassign(gone);
        }

        ForgetHeld(services.ContainsKey);

        if (!clean)
        {
            return false;
        }

        if (!_ready)
        {
            _ready = true;
            LogReady(_logger, services.Count);
            foreach (var deferred in _deferred)
            {
                _queue.Add(ServicePrefix + deferred);
            }

            _deferred.Clear();
        }

        return true;
    }

    private async Task<bool> ProcessServiceAsync(string key, CancellationToken cancellationToken)
    {
        if (!_ready)
        {
            // Held until the first full pass; it re-queues these afterwards.
            _deferred.Add(key);
            return true;
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var serviceKey = new ServiceKey(key[..slash], key[(slash + 1)..]);
        var service = _services.Get(key);
        var result = await SyncAsync(serviceKey, service, service is null ? null : CoreMapping.ToView(service), cancellationToken).ConfigureAwait(false);
        if (result == SyncResult.ReprocessAll)
        {
            _queue.Add(ReprocessKey);
        }

        return result != SyncResult.Error;
    }

    private async Task<SyncResult> SyncAsync(ServiceKey key, V1Service? service, ServiceView? view, CancellationToken cancellationToken)
    {
        if (_config is null)
        {
            return SyncResult.Success;
        }

        // Other classes are ignored entirely (their status is not ours); deletions are never filtered.
        if (view is not null && !Handles(view))
        {
            return SyncResult.Success;
        }

        return await WriteAsync(key, service, ServiceSync.Sync(_allocator, key, view), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what a sync decided; the sync's own result unless the write failed.</summary>
    private async Task<SyncResult> WriteAsync(ServiceKey key, V1Service? service, ServiceSyncResult sync, CancellationToken cancellationToken)
    {
        if (sync.Converge is { } converge && service is not null)
        {
            if (converge.Changed)
            {
                LogConverged(_logger, key, converge.Ingress, converge.PoolAnnotation);
            }

            if (!await _statusWriter.WriteAsync(service, converge, cancellationToken).ConfigureAwait(false))
            {
                return SyncResult.Error;
            }
        }

        return sync.Result;
    }

    private async Task<bool> TrySyncPoolStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await SyncPoolStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            LogProcessFailed(_logger, ApiFailure.StackWorthy(e), PoolStatusKey, ApiFailure.Describe(e));
            return false;
        }
    }

    /// <summary>Every pool's status as the allocator counts it, written where it differs.</summary>
    private Task<bool> SyncPoolStatusAsync(CancellationToken cancellationToken)
    {
        var desired = Metrics.Pools.ToDictionary(
            s => s.Pool,
            s => new IpAddressPoolStatus
            {
                AssignedIPv4 = s.InUseV4,
                AssignedIPv6 = s.InUseV6,
                AvailableIPv4 = s.TotalV4 - s.InUseV4,
                AvailableIPv6 = s.TotalV6 == long.MaxValue ? long.MaxValue : s.TotalV6 - s.InUseV6,
            },
            StringComparer.Ordinal);
        return _poolStatusWriter.SyncAsync(_pools.Items, desired, cancellationToken);
    }

    private bool Handles(ServiceView view) =>
        string.Equals(view.LoadBalancerClass ?? "", _options.LoadBalancerClass, StringComparison.Ordinal);

    private void PublishPoolStats()
    {
        if (_config is null)
        {
            return;
        }

        Metrics.PublishPools([.. _config.Pools.Select(p =>
        {
            var counters = _allocator.Counters(p.Name);
            return new PoolStats(
                p.Name,
                Capacity.SaturateToInt64(p.Capacity(IpFamily.IPv4)),
                Capacity.SaturateToInt64(p.Capacity(IpFamily.IPv6)),
                counters.InUseV4,
                counters.InUseV6);
        })]);
    }

    private static V1ObjectReference PoolReference(IpAddressPoolObject pool) =>
        EventRecorder.ReferenceTo(ResourceTypes.MetalLbGroupVersion, "IPAddressPool", pool.Metadata);

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value));

    public void Dispose()
    {
        _holdTimer?.Dispose();
        _queue.Dispose();
        _stateReporter.Dispose();
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "caches synced: {services} services, {pools} pools")]
    private static partial void LogSynced(ILogger logger, int services, int pools);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "configuration applied: {pools} pools")]
    private static partial void LogConfigApplied(ILogger logger, int pools);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "invalid configuration, keeping the last good one: {error}")]
    private static partial void LogConfigError(ILogger logger, string error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "initial pass done over {services} services; ready")]
    private static partial void LogReady(ILogger logger, int services);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "service {service} converged: ip={ip} pool={pool}")]
    private static partial void LogConverged(ILogger logger, ServiceKey service, System.Collections.Immutable.ImmutableArray<string> ip, string? pool);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "processing {key} failed ({error}); retrying")]
    private static partial void LogProcessFailed(ILogger logger, Exception? exception, string key, string error);
}
