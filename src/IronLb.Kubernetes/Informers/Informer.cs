using System.Collections.Concurrent;
using IronLb.Kubernetes.Client;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Informers;

/// <summary>
/// A list/watch cache of one kind (client-go's reflector + store, YARP's ResourceInformer): lists, then
/// watches from the list's resourceVersion, resumes after a normal end of the stream, relists on 410 Gone
/// (turning vanished objects into deletions), and reconnects with jittered exponential back-off.
/// A watch silent for its idle timeout (no event, no bookmark) is closed and resumed from the last
/// resourceVersion, so a half-open connection costs one idle timeout; and every <see cref="RelistInterval"/>
/// (jittered) the informer relists anyway, raising changes for whatever a watch lost without noticing.
/// Changes go to <see cref="Changed"/> on the informer's loop; handlers should only enqueue work.
/// </summary>
public sealed partial class Informer<T>
    where T : class
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly KubeConnection _connection;
    private readonly ResourceClient<T> _client;
    private readonly ResourceType<T> _type;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The last resourceVersion seen (list, event or bookmark): where a restarted watch continues.
    private string _version = "";
    private long _idleRestarts;
    private long _relists;
    private long _relistRepairs;

    public Informer(KubeConnection connection, ResourceType<T> type, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _client = new ResourceClient<T>(connection, type);
        _type = type;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised for every change, on the informer's loop, after the cache was updated.</summary>
    public event Action<InformerChange<T>>? Changed;

    /// <summary>Raised after each complete list (initial and relists).</summary>
    public event Action? Listed;

    /// <summary>Watch streams end after this long and are resumed; short in tests, 5 minutes in production.</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    /// <summary>How long a watch may deliver nothing before it is restarted; null takes the connection's (90 s by default).</summary>
    public TimeSpan? WatchIdleTimeout { get; init; }

    /// <summary>How often the informer relists although its watch looks healthy (±10 % jitter); infinite turns it off.</summary>
    public TimeSpan RelistInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Watches restarted because they were silent for the idle timeout.</summary>
    public long IdleRestarts => Interlocked.Read(ref _idleRestarts);

    /// <summary>Periodic relists done.</summary>
    public long PeriodicRelists => Interlocked.Read(ref _relists);

    /// <summary>Changes that periodic relists found and the watch had not delivered.</summary>
    public long RelistRepairs => Interlocked.Read(ref _relistRepairs);

    public bool HasSynced => _synced.Task.IsCompleted;

    public IReadOnlyCollection<T> Items => [.. _cache.Values];

    public T? Get(string key) => _cache.GetValueOrDefault(key);

    /// <summary>Completes once the first list has filled the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Lists and watches until cancelled; returns normally then, with the cache as it last was. Nothing else ends it but running out of memory, which ends the process.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var mustList = true;
        var periodic = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (mustList)
                {
                    var repaired = await ListAsync(cancellationToken).ConfigureAwait(false);
                    if (periodic)
                    {
                        CountRelist(repaired);
                    }

                    mustList = periodic = false;
                    failures = 0;
                }

                // Returns when the periodic relist is due; any other end of the watch is an exception.
                await WatchUntilRelistAsync(cancellationToken).ConfigureAwait(false);
                mustList = periodic = true;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                LogRelist(_logger, _type.Name);
                mustList = true;
            }
            catch (WatchIdleException) when (!cancellationToken.IsCancellationRequested)
            {
                // A silent stream is no error of the server: resume at once from where it stopped.
                Interlocked.Increment(ref _idleRestarts);
                InformerMetrics.IdleRestarts.Add(1, new KeyValuePair<string, object?>("resource", _type.Name));
                LogIdle(_logger, _type.Name, _version);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown: the loop ends quietly, whatever it was doing.
                return;
            }
            catch (OutOfMemoryException e)
            {
                // Nothing awaits an informer until shutdown, so an informer ended by this would leave the process up
                // with a cache that never changes again (a controller under a heap limit too small for its first list
                // waited for that sync for ever). Exit instead, loudly, for the kubelet to restart us.
                LogOutOfMemory(_logger, e, _type.Name);
                Environment.FailFast($"ironlb: out of memory while listing or watching {_type.Name}", e);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Timeouts, refused connections, 5xx, unreadable bodies, a handler's bug: all wait and relist.
                failures++;
                mustList = true;
                var delay = Backoff(failures);
                LogWatchFailed(_logger, ApiFailure.StackWorthy(e), _type.Name, ApiFailure.Describe(e), Math.Round(delay.TotalMilliseconds));
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void CountRelist(int repaired)
    {
        Interlocked.Increment(ref _relists);
        var tag = new KeyValuePair<string, object?>("resource", _type.Name);
        InformerMetrics.Relists.Add(1, tag);
        if (repaired > 0)
        {
            Interlocked.Add(ref _relistRepairs, repaired);
            InformerMetrics.RelistRepairs.Add(repaired, tag);
            LogRelistRepaired(_logger, _type.Name, repaired);
        }
    }

    /// <summary>Watches, resuming after normal ends, until the relist timer (monotonic, jittered) fires; then returns.</summary>
    private async Task WatchUntilRelistAsync(CancellationToken cancellationToken)
    {
        using var relist = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var due = Jittered(RelistInterval);
        using var timer = _time.CreateTimer(static state => Cancel((CancellationTokenSource)state!), relist, due, Timeout.InfiniteTimeSpan);
        try
        {
            await WatchAsync(relist.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (relist.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
        {
            // The relist timer cut the watch short.
        }
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The watch ended as the timer fired.
        }
    }

    private static TimeSpan Jittered(TimeSpan interval)
    {
        if (interval == Timeout.InfiniteTimeSpan || interval <= TimeSpan.Zero)
        {
            return Timeout.InfiniteTimeSpan;
        }

        // Spread the relists of many informers and replicas so they never hit the API server together.
#pragma warning disable CA5394 // Not security relevant.
        return interval * (0.9 + (Random.Shared.NextDouble() * 0.2));
#pragma warning restore CA5394
    }

    private static TimeSpan Backoff(int failures)
    {
        var exponential = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);

        // Jitter spreads reconnects of many components after an API server restart.
#pragma warning disable CA5394 // Not security relevant.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
#pragma warning restore CA5394
    }

    /// <summary>Lists, replaces the cache and raises a change for every difference; returns how many.</summary>
    private async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(cancellationToken).ConfigureAwait(false);
        var fresh = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            fresh[_type.Metadata(item).Key] = item;
        }

        var changes = 0;
        foreach (var (key, old) in _cache)
        {
            if (!fresh.ContainsKey(key) && _cache.TryRemove(key, out _))
            {
                changes++;
                Changed?.Invoke(new InformerChange<T>(ChangeType.Deleted, key, old, null));
            }
        }

        foreach (var (key, item) in fresh)
        {
            var old = _cache.GetValueOrDefault(key);
            _cache[key] = item;
            if (old is null)
            {
                changes++;
                Changed?.Invoke(new InformerChange<T>(ChangeType.Added, key, null, item));
            }
            else if (!string.Equals(_type.Metadata(old).ResourceVersion, _type.Metadata(item).ResourceVersion, StringComparison.Ordinal))
            {
                changes++;
                Changed?.Invoke(new InformerChange<T>(ChangeType.Updated, key, old, item));
            }
        }

        _version = list.ResourceVersion;
        _synced.TrySetResult();
        Listed?.Invoke();
        return changes;
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var idle = WatchIdleTimeout ?? _connection.Options.WatchIdleTimeout;
        while (!cancellationToken.IsCancellationRequested)
        {
            await foreach (var e in _connection.WatchAsync(_type.ListPath, _version, WatchTimeoutSeconds, idle, cancellationToken).ConfigureAwait(false))
            {
                switch (e.Type)
                {
                    case "BOOKMARK":
                        _version = BookmarkVersion(e.ObjectJson) ?? _version;
                        break;
                    case "ERROR":
                        throw StatusError(e.ObjectJson);
                    case "ADDED" or "MODIFIED":
                        {
                            var item = _type.Parse(e.ObjectJson);
                            var meta = _type.Metadata(item);
                            _version = meta.ResourceVersion;
                            var old = _cache.GetValueOrDefault(meta.Key);
                            _cache[meta.Key] = item;
                            Changed?.Invoke(new InformerChange<T>(old is null ? ChangeType.Added : ChangeType.Updated, meta.Key, old, item));
                            break;
                        }

                    case "DELETED":
                        {
                            var item = _type.Parse(e.ObjectJson);
                            var meta = _type.Metadata(item);
                            _version = meta.ResourceVersion;
                            if (_cache.TryRemove(meta.Key, out var old))
                            {
                                Changed?.Invoke(new InformerChange<T>(ChangeType.Deleted, meta.Key, old, null));
                            }

                            break;
                        }
                }
            }
        }
    }

    private static string? BookmarkVersion(string json) => WatchLine.ResourceVersion(json);

    private static KubeApiException StatusError(string json) => WatchLine.Status(json);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "watch of {resource} expired (410 Gone), relisting")]
    private static partial void LogRelist(ILogger logger, string resource);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "list/watch of {resource} failed ({error}), retrying in {delayMs} ms")]
    private static partial void LogWatchFailed(ILogger logger, Exception? exception, string resource, string error, double delayMs);

    [LoggerMessage(EventId = 214, Level = LogLevel.Critical, Message = "out of memory while listing or watching {resource}; exiting to be restarted")]
    private static partial void LogOutOfMemory(ILogger logger, Exception exception, string resource);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "watch of {resource} was silent for its idle timeout; resuming from {resourceVersion}")]
    private static partial void LogIdle(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "periodic relist of {resource} found {changes} changes its watch had missed")]
    private static partial void LogRelistRepaired(ILogger logger, string resource, int changes);
}
