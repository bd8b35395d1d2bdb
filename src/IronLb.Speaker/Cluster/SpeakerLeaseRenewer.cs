using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Keeps this node's <see cref="SpeakerLease"/> written: a server-side apply every renewal period (which
/// also re-creates a deleted Lease and undoes an edit), and within a check interval when what it says
/// changes. One write per node per period in the steady state, never one per Service. Every attempt has
/// its own timeout; a failed one is retried sooner, with back-off up to the period.
/// </summary>
internal sealed partial class SpeakerLeaseRenewer
{
    public const string FieldManager = "ironlb-speaker";

    private static readonly TimeSpan MaxCheck = TimeSpan.FromSeconds(1);

    private readonly ResourceClient<V1Lease> _leases;
    private readonly string _namespace;
    private readonly string _node;
    private readonly string _leaseName;
    private readonly TimeSpan _period;
    private readonly Func<SpeakerLeaseContent?> _content;
    private readonly TimeProvider _time;
    private readonly WriteCounter _writes;
    private readonly ILogger _logger;

    /// <param name="connection">The API server.</param>
    /// <param name="ns">The speaker's namespace.</param>
    /// <param name="node">This node.</param>
    /// <param name="period">Renewal period (10 s by default).</param>
    /// <param name="content">What the Lease should say now; null while there is nothing to say yet.</param>
    /// <param name="time">Timing.</param>
    /// <param name="writes">Counts every write and failure.</param>
    /// <param name="logger">Logs.</param>
    public SpeakerLeaseRenewer(KubeConnection connection, string ns, string node, TimeSpan period, Func<SpeakerLeaseContent?> content, TimeProvider time, WriteCounter writes, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        _leases = new ResourceClient<V1Lease>(connection, ResourceTypes.Leases);
        _namespace = ns;
        _node = node;
        _leaseName = SpeakerLease.Name(node);
        _period = period;
        _content = content;
        _time = time;
        _writes = writes;
        _logger = logger;
    }

    /// <summary>The speaker Pod, so the Lease goes with it (the others keep its last endpoint while the Node exists).</summary>
    public V1OwnerReference? Owner { get; set; }

    /// <summary>
    /// Told of every successful write: what was written, when the attempt started and when it returned (the ring's API
    /// mode fences this node on its own renewals).
    /// </summary>
    public Action<SpeakerLeaseContent, long, long>? Written { get; set; }

    /// <summary>How often the content is compared with what was written: a state change is published within this.</summary>
    public TimeSpan Check => _period / 2 < MaxCheck ? _period / 2 : MaxCheck;

    /// <summary>A request that has not answered after this is abandoned (a black-holed API must not stall renewal).</summary>
    public TimeSpan AttemptTimeout => _period < TimeSpan.FromSeconds(5) ? _period : TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        SpeakerLeaseContent? written = null;
        long? lastAttempt = null;
        var wait = TimeSpan.Zero;
        var failures = 0;
        using var timer = new PeriodicTimer(Check, _time);
        try
        {
            do
            {
                var wanted = _content();
                var due = lastAttempt is not { } at || _time.GetElapsedTime(at) >= wait || (failures == 0 && !Equals(wanted, written));
                if (wanted is null || !due)
                {
                    continue;
                }

                lastAttempt = _time.GetTimestamp();
                if (await TryWriteAsync(wanted, cancellationToken).ConfigureAwait(false))
                {
                    if (failures > 0)
                    {
                        LogRenewed(_logger, _leaseName, failures);
                    }

                    written = wanted;
                    failures = 0;
                    wait = _period;
                }
                else
                {
                    // Back off from one check interval up to the period: a struggling API server is not hammered.
                    failures++;
                    var backOff = Check * Math.Pow(2, Math.Min(failures - 1, 10));
                    wait = backOff < _period ? backOff : _period;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryWriteAsync(SpeakerLeaseContent content, CancellationToken cancellationToken)
    {
        using var attempt = new CancellationTokenSource(AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
        var lease = SpeakerLease.Build(_namespace, _node, content, _period, _time.GetUtcNow(), Owner);
        var started = _time.GetTimestamp();
        try
        {
            await _leases.ApplyAsync(lease, FieldManager, linked.Token).ConfigureAwait(false);
            _writes.Record(failed: false);
            Written?.Invoke(content, started, _time.GetTimestamp());
            return true;
        }
        catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
        {
            _writes.Record(failed: true);
            LogRenewFailed(_logger, e, _leaseName);
            return false;
        }
    }

    [LoggerMessage(EventId = 180, Level = LogLevel.Warning, Message = "Lease {lease} not renewed; the other speakers keep this node at its last endpoint")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string lease);

    [LoggerMessage(EventId = 181, Level = LogLevel.Information, Message = "Lease {lease} renewed again after {failures} failed attempts")]
    private static partial void LogRenewed(ILogger logger, string lease, int failures);
}
