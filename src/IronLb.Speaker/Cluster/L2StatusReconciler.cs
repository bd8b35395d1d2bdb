using System.Collections.Concurrent;
using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Queues;
using IronLb.Kubernetes.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// MetalLB's layer2 status reconciler (§1.4): for every Service this node announces, exactly one
/// ServiceL2Status (generateName <c>l2-</c>, labels node/service-name/service-namespace, owner the speaker
/// Pod, status node/serviceName/serviceNamespace/interfaces), deleting any other node's object or duplicate
/// for it; for every Service it does not announce, none labelled with this node. Keyed by Service on its own
/// queue, so a failover writes once per moved Service and a steady state writes nothing. Writes wait until
/// the announcements have been quiet for a moment, so the churn of speakers joining at once (each briefly
/// owning everything) never reaches the API server; the announcements themselves never wait for this.
/// </summary>
internal sealed partial class L2StatusReconciler : IDisposable
{
    private readonly ServiceL2StatusWriter _writer;
    private readonly string _node;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _settle;
    private readonly WorkQueue<ServiceKey> _queue;
    private readonly Informer<ServiceL2StatusObject> _statuses;
    private readonly ConcurrentDictionary<ServiceKey, string> _created = new();
    private readonly ConcurrentDictionary<string, byte> _deletedHere = new(StringComparer.Ordinal);
    private volatile ImmutableDictionary<ServiceKey, L2StatusDesired> _desired = ImmutableDictionary<ServiceKey, L2StatusDesired>.Empty;
    private long _lastChange;

    /// <param name="connection">The API server.</param>
    /// <param name="ns">MetalLB's namespace.</param>
    /// <param name="node">This node.</param>
    /// <param name="watchTimeoutSeconds">Watch stream length.</param>
    /// <param name="settle">How long the announcements must be unchanged before their status is written.</param>
    /// <param name="writes">Counts every write and failure.</param>
    /// <param name="time">All timing.</param>
    /// <param name="logger">Logs.</param>
    public L2StatusReconciler(KubeConnection connection, string ns, string node, int watchTimeoutSeconds, TimeSpan settle, WriteCounter writes, TimeProvider time, ILogger logger)
    {
        _writer = new ServiceL2StatusWriter(connection, ns, node, writes);
        _node = node;
        _logger = logger;
        _time = time;
        _settle = settle;
        _lastChange = time.GetTimestamp();
        _queue = new WorkQueue<ServiceKey>(time);
        _statuses = new Informer<ServiceL2StatusObject>(connection, ResourceTypes.ServiceL2Statuses(ns), time, logger) { WatchTimeoutSeconds = watchTimeoutSeconds };
        _statuses.Changed += change =>
        {
            if ((change.New ?? change.Old) is not { } status || ServiceOf(status) is not { } key)
            {
                return;
            }

            _created.TryRemove(key, out _);
            var deletedHere = change.Type == ChangeType.Deleted && _deletedHere.TryRemove(status.Metadata.Name ?? "", out _);
            if (change.Type == ChangeType.Deleted && !deletedHere && IsMine(status) && _desired.ContainsKey(key))
            {
                // Another node deleted this node's object while this node announces the Service: both believe
                // they own it (their memberships disagree). Re-creating at once would start a delete/create
                // war at API speed; back off instead, doubling up to a minute, until the two agree again.
                LogContested(_logger, key);
                _queue.AddRateLimited(key);
                return;
            }

            _queue.Add(key);
        };
    }

    /// <summary>The owner of the objects written from now on (the speaker Pod), once known.</summary>
    public V1OwnerReference? Owner { get; set; }

    public bool HasSynced => _statuses.HasSynced;

    /// <summary>Called after this node created the status of a Service it took over (MetalLB's nodeAssigned moment).</summary>
    public Action<ServiceKey>? Assigned { get; set; }

    /// <summary>The Services this node announces now, with the interfaces (empty for all interfaces) and conditions to report.</summary>
    public void SetDesired(ImmutableDictionary<ServiceKey, L2StatusDesired> desired)
    {
        var previous = _desired;
        _desired = desired;
        if (!ReferenceEquals(previous, desired) && (previous.Count != desired.Count || desired.Any(d => !previous.TryGetValue(d.Key, out var p) || !p.Same(d.Value))))
        {
            Interlocked.Exchange(ref _lastChange, _time.GetTimestamp());
        }

        foreach (var (key, wanted) in desired)
        {
            if (!previous.TryGetValue(key, out var before) || !before.Same(wanted))
            {
                _queue.Add(key);
            }
        }

        foreach (var key in previous.Keys.Where(k => !desired.ContainsKey(k)))
        {
            _queue.Add(key);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informer = _statuses.RunAsync(stop.Token);
        try
        {
            await _statuses.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);

            // Leftovers from before a restart: this node's objects for Services it may no longer announce.
            foreach (var key in _statuses.Items.Where(IsMine).Select(ServiceOf).OfType<ServiceKey>())
            {
                _queue.Add(key);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                var key = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
                var quiet = _time.GetElapsedTime(Interlocked.Read(ref _lastChange));
                if (quiet < _settle)
                {
                    await Task.Delay(_settle - quiet, _time, cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    // A reconcile that had nothing to write means the key is settled: its back-off starts over.
                    if (!await ReconcileAsync(key, cancellationToken).ConfigureAwait(false))
                    {
                        _queue.Forget(key);
                    }
                }
                catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
                {
                    LogFailed(_logger, ApiFailure.StackWorthy(e), key, ApiFailure.Describe(e));
                    _queue.AddRateLimited(key);
                }
                finally
                {
                    _queue.Done(key);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await informer.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    public void Dispose() => _queue.Dispose();

    /// <returns>Whether anything was written.</returns>
    private async Task<bool> ReconcileAsync(ServiceKey key, CancellationToken cancellationToken)
    {
        var objects = _statuses.Items.Where(s => ServiceOf(s) == key)
            .OrderBy(s => s.Metadata.CreationTimestamp ?? DateTime.MaxValue).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();
        if (!_desired.TryGetValue(key, out var wanted))
        {
            var wrote = false;
            foreach (var mine in objects.Where(IsMine))
            {
                await DeleteAsync(mine, cancellationToken).ConfigureAwait(false);
                wrote = true;
            }

            return wrote;
        }

        var own = objects.FirstOrDefault(IsMine);
        var others = objects.Where(o => o != own).ToList();
        foreach (var other in others)
        {
            await DeleteAsync(other, cancellationToken).ConfigureAwait(false);
        }

        if (own is null)
        {
            if (_created.ContainsKey(key))
            {
                return others.Count > 0;
            }

            await CreateAsync(key, wanted, cancellationToken).ConfigureAwait(false);
            return true;
        }

        _created.TryRemove(key, out _);
        var reported = (own.Status?.Interfaces ?? []).Select(i => i.Name ?? "").ToList();
        var conditions = wanted.Conditions(own.Status?.Conditions, _time.GetUtcNow().UtcDateTime);
        if (own.Status?.Node != _node || !reported.SequenceEqual(wanted.Interfaces) || conditions is not null)
        {
            await _writer.PatchStatusAsync(own.Metadata.Name!, key, wanted.Interfaces, conditions ?? own.Status?.Conditions ?? [], cancellationToken).ConfigureAwait(false);
            return true;
        }

        return others.Count > 0;
    }

    private async Task CreateAsync(ServiceKey key, L2StatusDesired wanted, CancellationToken cancellationToken)
    {
        var conditions = wanted.Conditions(null, _time.GetUtcNow().UtcDateTime) ?? [];
        var (name, statusWritten) = await _writer.CreateAsync(key, wanted.Interfaces, conditions, Owner, cancellationToken).ConfigureAwait(false);

        // Remembered before the status write: should that fail, the retry patches this object instead of creating another.
        _created[key] = name;
        if (!statusWritten || conditions.Count > 0)
        {
            // The status subresource drops status on create: the conditions need the patch in any case.
            await _writer.PatchStatusAsync(name, key, wanted.Interfaces, conditions, cancellationToken).ConfigureAwait(false);
        }

        LogCreated(_logger, name, key, _node);
        Assigned?.Invoke(key);
    }

    private async Task DeleteAsync(ServiceL2StatusObject status, CancellationToken cancellationToken)
    {
        var name = status.Metadata.Name ?? "";
        _deletedHere[name] = 0;
        if (await _writer.DeleteAsync(name, cancellationToken).ConfigureAwait(false))
        {
            var node = status.Metadata.Labels.Value(MetalLbLabels.Node) ?? "";
            LogDeleted(_logger, name, node);
        }
        else
        {
            // Someone else (its own node, or the garbage collector) was faster; its event tells the story.
            _deletedHere.TryRemove(name, out _);
        }
    }

    /// <summary>
    /// Services whose ServiceL2Status (any node's) says another host answered for their address (AddressConflict True,
    /// AddressInUse): a node that takes such a Service over probes before announcing, as the first owner did.
    /// </summary>
    public HashSet<ServiceKey> InUseElsewhere() =>
        [.. _statuses.Items
            .Where(s => (s.Status?.Conditions ?? []).Any(c =>
                c.Type == ServiceL2Conditions.AddressConflict && c.Status == "True" && c.Reason == ServiceL2Conditions.AddressInUse))
            .Select(ServiceOf).OfType<ServiceKey>()];

    private bool IsMine(ServiceL2StatusObject status) => status.Metadata.Labels?.Value(MetalLbLabels.Node) == _node;

    private static ServiceKey? ServiceOf(ServiceL2StatusObject status) =>
        status.Metadata.Labels is { } labels
        && labels.Value(MetalLbLabels.ServiceNamespace) is { Length: > 0 } ns
        && labels.Value(MetalLbLabels.ServiceName) is { Length: > 0 } name
            ? new ServiceKey(ns, name)
            : null;

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "ServiceL2Status {name} created for {service} on {node}")]
    private static partial void LogCreated(ILogger logger, string name, ServiceKey service, string node);

    [LoggerMessage(EventId = 141, Level = LogLevel.Debug, Message = "ServiceL2Status {name} of node {node} deleted")]
    private static partial void LogDeleted(ILogger logger, string name, string node);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "This node's ServiceL2Status for {service} was deleted by another node while this node announces it: two speakers claim it (do their memberships disagree?); re-creating with back-off")]
    private static partial void LogContested(ILogger logger, ServiceKey service);

    [LoggerMessage(EventId = 142, Level = LogLevel.Warning, Message = "ServiceL2Status for {service} not reconciled ({error}); retrying")]
    private static partial void LogFailed(ILogger logger, Exception? exception, ServiceKey service, string error);
}
