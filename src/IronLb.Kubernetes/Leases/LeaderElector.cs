using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Leases;

/// <summary>
/// Leader election over a coordination.k8s.io Lease, fenced. Every deadline is on the monotonic clock
/// (<see cref="TimeProvider.GetTimestamp"/>); the lease record's times are only what goes on the wire. A
/// follower judges expiry by how long ago it saw the record change, never by comparing clocks across nodes
/// (client-go does the same). Each acquire or renew attempt has its own timeout, shorter than the renew
/// deadline. A leader's term (<see cref="LeaseTerm"/>) ends at (send time of its last successful renewal) +
/// renew deadline whatever the network does, cancelling its work and its writes in flight, before the lease
/// can expire for anyone else (<see cref="LeaseSettings.Validate"/> refuses timings where it could not).
/// </summary>
public sealed partial class LeaderElector(KubeConnection connection, LeaseSettings settings, TimeProvider time, ILogger logger)
{
    private readonly ResourceClient<V1Lease> _leases = new(connection, ResourceTypes.Leases);
    private string? _observedVersion;
    private long _observedAt;
    private long _attemptTimeouts;

    public bool IsLeader => Term is { IsValid: true };

    /// <summary>The current term while leading, else null.</summary>
    public LeaseTerm? Term { get; private set; }

    /// <summary>Acquire or renew attempts that ran out of time (a black-holed API server).</summary>
    public long AttemptTimeouts => Interlocked.Read(ref _attemptTimeouts);

    /// <summary>Campaigns until cancelled; runs <paramref name="lead"/> for every term won, with the term's token.</summary>
    public Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return RunAsync(term => lead(term.Token), cancellationToken);
    }

    /// <summary>Campaigns until cancelled; runs <paramref name="lead"/> for every term won, with the term (the fence of its writes).</summary>
    public async Task RunAsync(Func<LeaseTerm, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (settings.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidOperationException("unsafe lease timing: " + string.Join("; ", errors));
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var sentAt = await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
            if (sentAt is not { } acquiredAt)
            {
                await Task.Delay(settings.RetryPeriod, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using var term = new LeaseTerm(time, settings.RenewDeadline, settings.EffectiveWriteTimeout, acquiredAt, cancellationToken);
            Term = term;
            LogStartedLeading(logger, settings.Identity, settings.Name);
            var work = Task.Run(() => lead(term), CancellationToken.None);
            while (!work.IsCompleted && !term.Token.IsCancellationRequested)
            {
                await Task.WhenAny(work, Task.Delay(settings.RetryPeriod, time, term.Token)).ConfigureAwait(false);

                // Shutdown or the term's end: straight to the hand-back below.
                if (work.IsCompleted || term.Token.IsCancellationRequested)
                {
                    break;
                }

                // A renewal that outlives the term is pointless: the term's token ends it too.
                if (await TryAcquireOrRenewAsync(term.Token).ConfigureAwait(false) is { } renewedAt)
                {
                    term.Extend(renewedAt);
                }
            }

            term.End();
            Term = null;
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The work's own failure ends this term only; the elector campaigns on.
                LogWorkFailed(logger, e, settings.Identity);
            }

            LogStoppedLeading(logger, settings.Identity, settings.Name);
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One attempt with its own timeout; the monotonic time its winning write was sent, or null when not leader this round.</summary>
    private async Task<long?> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        using var attempt = new RequestDeadline(time, settings.EffectiveAttemptTimeout, cancellationToken, CancellationToken.None);
        var token = attempt.Token;
        var wallNow = time.GetUtcNow();
        try
        {
            var lease = await _leases.GetAsync(settings.Namespace, settings.Name, token).ConfigureAwait(false);
            long sentAt;
            if (lease is null)
            {
                // A create that loses the race to another replica is a 409: not leader this round.
                sentAt = time.GetTimestamp();
                var created = await _leases.CreateAsync(NewLease(wallNow, transitions: 0), token).ConfigureAwait(false);
                Observe(created.Metadata.ResourceVersion, sentAt);
                return sentAt;
            }

            if (lease.Metadata.ResourceVersion != _observedVersion)
            {
                // Seen now, and written no later than now: expiry counts from here.
                Observe(lease.Metadata.ResourceVersion, time.GetTimestamp());
            }

            var holder = lease.Spec?.HolderIdentity;
            var mine = string.Equals(holder, settings.Identity, StringComparison.Ordinal);
            var duration = TimeSpan.FromSeconds(lease.Spec?.LeaseDurationSeconds ?? (int)settings.LeaseDuration.TotalSeconds);
            if (!mine && !string.IsNullOrEmpty(holder) && time.GetElapsedTime(_observedAt) < duration)
            {
                return null;
            }

            var transitions = (lease.Spec?.LeaseTransitions ?? 0) + (mine ? 0 : 1);
            var updated = NewLease(wallNow, transitions);
            updated.Metadata.ResourceVersion = lease.Metadata.ResourceVersion;
            if (mine && lease.Spec?.AcquireTime is { } acquired)
            {
                updated.Spec.AcquireTime = acquired;
            }

            sentAt = time.GetTimestamp();
            var written = await _leases.ReplaceAsync(updated, token).ConfigureAwait(false);
            Observe(written.Metadata.ResourceVersion, sentAt);
            return sentAt;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Conflicts (someone else renewed first), timeouts and API outages alike: not leader this round.
            if (attempt.Expired)
            {
                Interlocked.Increment(ref _attemptTimeouts);
                LogAttemptTimedOut(logger, settings.Name, settings.EffectiveAttemptTimeout.TotalMilliseconds);
            }
            else if (e is KubeApiException { Status: System.Net.HttpStatusCode.Forbidden })
            {
                // Not a lost race: RBAC refuses, and every attempt will. Say so, with the permission it names.
                LogLeaseForbidden(logger, e, settings.Name);
            }
            else
            {
                LogLeaseFailed(logger, e, settings.Name);
            }

            return null;
        }
    }

    private void Observe(string? version, long at)
    {
        _observedVersion = version;
        _observedAt = at;
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

    [LoggerMessage(EventId = 235, Level = LogLevel.Warning, Message = "lease {lease} not acquired or renewed: forbidden; the ServiceAccount's Role lacks a permission")]
    private static partial void LogLeaseForbidden(ILogger logger, Exception exception, string lease);

    [LoggerMessage(EventId = 233, Level = LogLevel.Warning, Message = "lease {lease}: acquire or renew attempt got no answer within {timeoutMs} ms")]
    private static partial void LogAttemptTimedOut(ILogger logger, string lease, double timeoutMs);

    [LoggerMessage(EventId = 234, Level = LogLevel.Error, Message = "{identity}: the leader's work failed; campaigning again")]
    private static partial void LogWorkFailed(ILogger logger, Exception exception, string identity);
}
