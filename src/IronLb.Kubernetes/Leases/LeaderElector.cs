using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Leases;

/// <summary>Lease timing, as client-go's leader election names it.</summary>
public sealed record LeaseSettings(string Namespace, string Name, string Identity, TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod);

/// <summary>
/// Leader election over a coordination.k8s.io Lease. Expiry is judged by when this replica last saw the
/// record change, never by comparing clocks across nodes (client-go does the same). The leader's work
/// runs under a token that is cancelled as soon as renewal has failed for longer than the renew deadline,
/// before the lease can expire for anyone else, so two leaders never overlap.
/// </summary>
public sealed partial class LeaderElector(KubeConnection connection, LeaseSettings settings, TimeProvider time, ILogger logger)
{
    private readonly ResourceClient<V1Lease> _leases = new(connection, ResourceTypes.Leases);
    private string? _observedVersion;
    private DateTimeOffset _observedAt;

    public bool IsLeader { get; private set; }

    /// <summary>Campaigns until cancelled; runs <paramref name="lead"/> for every term won.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
            {
                await Task.Delay(settings.RetryPeriod, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            IsLeader = true;
            LogStartedLeading(logger, settings.Identity, settings.Name);
            using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = Task.Run(() => lead(term.Token), CancellationToken.None);
            var lastRenew = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(settings.RetryPeriod, time, cancellationToken)).ConfigureAwait(false);

                // On shutdown, straight to the hand-back below: a renewal with the cancelled token would throw past it.
                if (work.IsCompleted || cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
                {
                    lastRenew = time.GetUtcNow();
                }
                else if (time.GetUtcNow() - lastRenew > settings.RenewDeadline)
                {
                    break;
                }
            }

            IsLeader = false;
            await term.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            LogStoppedLeading(logger, settings.Identity, settings.Name);
            await ReleaseAsync().ConfigureAwait(false);
        }

        IsLeader = false;
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var lease = await _leases.GetAsync(settings.Namespace, settings.Name, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                // A create that loses the race to another replica is a 409: not leader this round.
                var created = await _leases.CreateAsync(NewLease(now, transitions: 0), cancellationToken).ConfigureAwait(false);
                _observedVersion = created.Metadata.ResourceVersion;
                _observedAt = now;
                return true;
            }

            if (lease.Metadata.ResourceVersion != _observedVersion)
            {
                _observedVersion = lease.Metadata.ResourceVersion;
                _observedAt = now;
            }

            var holder = lease.Spec?.HolderIdentity;
            var mine = string.Equals(holder, settings.Identity, StringComparison.Ordinal);
            var duration = TimeSpan.FromSeconds(lease.Spec?.LeaseDurationSeconds ?? (int)settings.LeaseDuration.TotalSeconds);
            if (!mine && !string.IsNullOrEmpty(holder) && now - _observedAt < duration)
            {
                return false;
            }

            var transitions = (lease.Spec?.LeaseTransitions ?? 0) + (mine ? 0 : 1);
            var updated = NewLease(now, transitions);
            updated.Metadata.ResourceVersion = lease.Metadata.ResourceVersion;
            if (mine && lease.Spec?.AcquireTime is { } acquired)
            {
                updated.Spec.AcquireTime = acquired;
            }

            var written = await _leases.ReplaceAsync(updated, cancellationToken).ConfigureAwait(false);
            _observedVersion = written.Metadata.ResourceVersion;
            _observedAt = now;
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Conflicts (someone else renewed first) and API outages alike: not leader this round.
            LogLeaseFailed(logger, e, settings.Name);
            return false;
        }
    }

    private V1Lease NewLease(DateTimeOffset now, int transitions) => new()
    {
        Metadata = new V1ObjectMeta { Name = settings.Name, NamespaceProperty = settings.Namespace },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = settings.Identity,
            LeaseDurationSeconds = (int)Math.Ceiling(settings.LeaseDuration.TotalSeconds),
            AcquireTime = now.UtcDateTime,
            RenewTime = now.UtcDateTime,
            LeaseTransitions = transitions,
        },
    };

    // A clean shutdown hands over at once instead of making the next leader wait out the lease.
    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
            var lease = await _leases.GetAsync(settings.Namespace, settings.Name, timeout.Token).ConfigureAwait(false);
            if (lease?.Spec is null || !string.Equals(lease.Spec.HolderIdentity, settings.Identity, StringComparison.Ordinal))
            {
                return;
            }

            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            await _leases.ReplaceAsync(lease, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or KubeApiException or System.Text.Json.JsonException)
        {
            // Best effort: the lease expires on its own.
        }
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "{identity} became the leader (lease {lease})")]
    private static partial void LogStartedLeading(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "{identity} stopped leading (lease {lease})")]
    private static partial void LogStoppedLeading(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 232, Level = LogLevel.Debug, Message = "lease {lease} not acquired or renewed")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception, string lease);
}
