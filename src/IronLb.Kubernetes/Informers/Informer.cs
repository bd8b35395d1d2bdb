using System.Collections.Concurrent;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Informers;

/// <summary>
/// A list/watch cache of one kind (client-go's reflector + store, YARP's ResourceInformer): lists, then
/// watches from the list's resourceVersion, resumes after a normal end of the stream, relists on 410 Gone
/// (turning vanished objects into deletions), and reconnects with jittered exponential back-off.
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

    public bool HasSynced => _synced.Task.IsCompleted;

    public IReadOnlyCollection<T> Items => [.. _cache.Values];

    public T? Get(string key) => _cache.GetValueOrDefault(key);

    /// <summary>Completes once the first list has filled the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Lists and watches until cancelled; returns normally then, with the cache as it last was.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var version = await ListAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
                await WatchAsync(version, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                LogRelist(_logger, _type.Name);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown: the loop ends quietly, whatever it was doing.
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                failures++;
                var delay = Backoff(failures);
                LogWatchFailed(_logger, e, _type.Name, delay.TotalMilliseconds);
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

    private static TimeSpan Backoff(int failures)
    {
        var exponential = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);

        // Jitter spreads reconnects of many components after an API server restart.
#pragma warning disable CA5394 // Not security relevant.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
#pragma warning restore CA5394
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(cancellationToken).ConfigureAwait(false);
        var fresh = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            fresh[_type.Metadata(item).Key] = item;
        }

        foreach (var (key, old) in _cache)
        {
            if (!fresh.ContainsKey(key) && _cache.TryRemove(key, out _))
            {
                Changed?.Invoke(new InformerChange<T>(ChangeType.Deleted, key, old, null));
            }
        }

        foreach (var (key, item) in fresh)
        {
            var old = _cache.GetValueOrDefault(key);
            _cache[key] = item;
            if (old is null)
            {
                Changed?.Invoke(new InformerChange<T>(ChangeType.Added, key, null, item));
            }
            else if (!string.Equals(_type.Metadata(old).ResourceVersion, _type.Metadata(item).ResourceVersion, StringComparison.Ordinal))
            {
                Changed?.Invoke(new InformerChange<T>(ChangeType.Updated, key, old, item));
            }
        }

        _synced.TrySetResult();
        Listed?.Invoke();
        return list.ResourceVersion;
    }

    private async Task WatchAsync(string version, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await foreach (var e in _connection.WatchAsync(_type.ListPath, version, WatchTimeoutSeconds, cancellationToken).ConfigureAwait(false))
            {
                switch (e.Type)
                {
                    case "BOOKMARK":
                        version = BookmarkVersion(e.ObjectJson) ?? version;
                        break;
                    case "ERROR":
                        throw StatusError(e.ObjectJson);
                    case "ADDED" or "MODIFIED":
                        {
                            var item = _type.Parse(e.ObjectJson);
                            var meta = _type.Metadata(item);
                            version = meta.ResourceVersion;
                            var old = _cache.GetValueOrDefault(meta.Key);
                            _cache[meta.Key] = item;
                            Changed?.Invoke(new InformerChange<T>(old is null ? ChangeType.Added : ChangeType.Updated, meta.Key, old, item));
                            break;
                        }

                    case "DELETED":
                        {
                            var item = _type.Parse(e.ObjectJson);
                            var meta = _type.Metadata(item);
                            version = meta.ResourceVersion;
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

    private static string? BookmarkVersion(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
    }

    private static KubeApiException StatusError(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 500;
        var reason = root.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : "";
        var message = root.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
        return new KubeApiException((System.Net.HttpStatusCode)code, reason, message);
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "watch of {resource} expired (410 Gone), relisting")]
    private static partial void LogRelist(ILogger logger, string resource);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "list/watch of {resource} failed, retrying in {delayMs} ms")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string resource, double delayMs);
}
