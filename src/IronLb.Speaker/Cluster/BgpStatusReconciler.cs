using System.Collections.Immutable;
using System.Threading.Channels;
using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// This node's ServiceBGPStatus objects (MetalLB ≥ 0.15, metallb-bgp.md §1.5): one per Service the node announces
/// over BGP, listing the BGPPeers it goes to, kept equal to the last evaluation's set by
/// <see cref="ServiceBgpStatusWriter.SyncAsync"/>. No BGP, no objects and no writes: the informer runs only once
/// some Service is announced over BGP or this node has objects left from before. A failed sync is retried with a
/// doubling pause (up to a minute); a steady state writes nothing.
/// </summary>
internal sealed partial class BgpStatusReconciler
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(1);

    private readonly ServiceBgpStatusWriter _writer;
    private readonly Informer<ServiceBgpStatusObject> _statuses;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _pokes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile ImmutableDictionary<ServiceKey, ImmutableSortedSet<string>> _desired = ImmutableDictionary<ServiceKey, ImmutableSortedSet<string>>.Empty;

    public BgpStatusReconciler(KubeConnection connection, string ns, string node, int watchTimeoutSeconds, WriteCounter writes, TimeProvider time, ILogger logger)
    {
        _writer = new ServiceBgpStatusWriter(connection, ns, node, writes);
        _statuses = new Informer<ServiceBgpStatusObject>(connection, ResourceTypes.ServiceBgpStatuses(ns), time, logger) { WatchTimeoutSeconds = watchTimeoutSeconds };
        _statuses.Changed += _ => _pokes.Writer.TryWrite(true);
        _time = time;
        _logger = logger;
    }

    /// <summary>The owner of the objects written from now on (the speaker Pod), once known.</summary>
    public V1OwnerReference? Owner { get; set; }

    /// <summary>The Services this node announces over BGP now, each with the BGPPeers it goes to.</summary>
    public void SetDesired(ImmutableDictionary<ServiceKey, ImmutableSortedSet<string>> desired)
    {
        var previous = _desired;
        _desired = desired;
        if (previous.Count != desired.Count || desired.Any(d => !previous.TryGetValue(d.Key, out var p) || !p.SetEquals(d.Value)))
        {
            _pokes.Writer.TryWrite(true);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informer = _statuses.RunAsync(stop.Token);
        try
        {
            await _statuses.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            var retry = FirstRetry;
            _pokes.Writer.TryWrite(true);
            while (await _pokes.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _pokes.Reader.TryRead(out _);
                try
                {
                    await _writer.SyncAsync(_desired, _statuses.Items, Owner, cancellationToken).ConfigureAwait(false);
                    retry = FirstRetry;
                }
                catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
                {
                    LogSyncFailed(_logger, e, retry);
                    await Task.Delay(retry, _time, cancellationToken).ConfigureAwait(false);
                    retry = retry * 2 > LastRetry ? LastRetry : retry * 2;
                    _pokes.Writer.TryWrite(true);
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

    [LoggerMessage(EventId = 260, Level = LogLevel.Warning, Message = "writing ServiceBGPStatus objects failed; retrying in {Retry}")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, TimeSpan retry);
}
