using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Storage;
using IronLb.KubeSim.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IronLb.KubeSim.Watch;

/// <summary>One watch: HTTP 200, then one JSON event per line, flushed as soon as it is written. The watcher keeps
/// a cursor into the store's event ring and never takes the store lock while writing, so a slow reader only
/// hurts itself: when the ring has moved past its cursor it gets an ERROR 410 event and the stream ends.</summary>
internal sealed class WatchStream
{
    private static readonly byte[] Newline = "\n"u8.ToArray();
    private static readonly Dictionary<string, byte[]> Prefixes = new[] { "ADDED", "MODIFIED", "DELETED" }
        .ToDictionary(t => t, t => Encoding.UTF8.GetBytes($"{{\"type\":\"{t}\",\"object\":"), StringComparer.Ordinal);

    private readonly ObjectService _service;
    private readonly WatchRequest _request;
    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bookmarkInterval;
    private readonly Func<bool> _silenced;
    private long _cursor;

    // silenced: true once the client is black-holed; the stream then throws WatchSilencedException before writing anything more.
    public WatchStream(ObjectService service, WatchRequest request, HttpContext context, TimeProvider time, TimeSpan bookmarkInterval, Func<bool> silenced)
    {
        _silenced = silenced;
        _service = service;
        _request = request;
        _context = context;
        _time = time;
        _bookmarkInterval = bookmarkInterval;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var response = _context.Response;
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        var store = _service.Store;
        var rvText = _request.ResourceVersion;
        var fromScratch = string.IsNullOrEmpty(rvText) || rvText == "0" || _request.SendInitialEvents;
        if (fromScratch)
        {
            var initial = _service.List(_request.Type, _request.Namespace, _request.Labels, _request.Fields, null, null);
            var listVersion = initial.ResourceVersion;
            foreach (var item in initial.Items)
            {
                WriteEvent("ADDED", item);
            }
            _cursor = listVersion;
            if (_request.SendInitialEvents && _request.AllowBookmarks)
            {
                WriteBookmark(initialEventsEnd: true);
            }
        }
        else if (!long.TryParse(rvText, out _cursor))
        {
            throw ApiException.BadRequest($"invalid resource version: {rvText}");
        }
        else if (_cursor < store.OldestWatchableVersion)
        {
            await ExpireAsync(ct).ConfigureAwait(false);
            return;
        }
        await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);

        var started = _time.GetUtcNow();
        var deadline = _request.Timeout is { } timeout ? started + timeout : DateTimeOffset.MaxValue;
        var nextBookmark = started + _bookmarkInterval;
        while (!ct.IsCancellationRequested)
        {
            if (_silenced())
            {
                throw new WatchSilencedException();
            }

            var changed = store.Changed;
            var published = store.CurrentResourceVersion;
            if (_cursor < published)
            {
                for (var rv = _cursor + 1; rv <= published; rv++)
                {
                    var evt = store.EventAt(rv);
                    if (evt is null)
                    {
                        await ExpireAsync(ct).ConfigureAwait(false);
                        return;
                    }
                    Deliver(evt);
                    _cursor = rv;
                }
                await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
                continue;
            }
            var now = _time.GetUtcNow();
            if (now >= deadline)
            {
                // The watch cache sends a last bookmark before a watch times out, so a resumable position is never lost.
                if (_request.AllowBookmarks)
                {
                    WriteBookmark(initialEventsEnd: false);
                    await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
                }
                return;
            }
            if (_request.AllowBookmarks && now >= nextBookmark)
            {
                WriteBookmark(initialEventsEnd: false);
                await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
                nextBookmark = now + _bookmarkInterval;
                continue;
            }
            var wake = _request.AllowBookmarks && nextBookmark < deadline ? nextBookmark : deadline;
            await WaitAsync(changed, wake - now, ct).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(Task changed, TimeSpan delay, CancellationToken ct)
    {
        if (delay > TimeSpan.FromDays(1))
        {
            await changed.WaitAsync(ct).ConfigureAwait(false);
            return;
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sleep = Task.Delay(delay, _time, timer.Token);
        await Task.WhenAny(changed, sleep).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Applies namespace and selectors, including transitions: an object that stops matching is DELETED
    /// to this watcher and one that starts matching is ADDED, as the watch cache does.</summary>
    private void Deliver(WatchEvent evt)
    {
        var type = _request.Type;
        if (evt.StorageKey != type.StorageKey)
        {
            return;
        }
        if (!string.IsNullOrEmpty(_request.Namespace) && evt.Object.Namespace != _request.Namespace)
        {
            return;
        }
        switch (evt.Type)
        {
            case WatchEventType.Added:
                if (Matches(evt.Object))
                {
                    WriteEvent("ADDED", evt.Object);
                }
                break;
            case WatchEventType.Deleted:
                if (Matches(evt.Previous ?? evt.Object))
                {
                    WriteEvent("DELETED", evt.Object);
                }
                break;
            default:
                var now = Matches(evt.Object);
                var before = evt.Previous is not null && Matches(evt.Previous);
                if (now && before)
                {
                    WriteEvent("MODIFIED", evt.Object);
                }
                else if (now)
                {
                    WriteEvent("ADDED", evt.Object);
                }
                else if (before)
                {
                    WriteEvent("DELETED", evt.Object);
                }
                break;
        }
    }

    private bool Matches(StoredObject obj) =>
        _request.Labels.Matches(obj.Labels) && (_request.Fields.IsEmpty || _request.Fields.Matches(ObjectService.Present(_request.Type, obj)));

    private void WriteEvent(string type, StoredObject obj)
    {
        var writer = _context.Response.BodyWriter;
        writer.Write(Prefixes[type]);
        if (_request.AsTable)
        {
            var table = TableBuilder.Build(_request.Type, [obj], obj.ResourceVersion, _request.Include, _time.GetUtcNow());
            writer.Write(JsonText.ToUtf8(table));
        }
        else
        {
            writer.Write(ObjectService.PresentBytes(_request.Type, obj));
        }
        writer.Write("}"u8);
        writer.Write(Newline);
    }

    private void WriteBookmark(bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = StoredObject.FormatVersion(_cursor), ["creationTimestamp"] = null };
        if (initialEventsEnd)
        {
            meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }
        var bookmark = new JsonObject
        {
            ["type"] = "BOOKMARK",
            ["object"] = new JsonObject { ["kind"] = _request.Type.Kind, ["apiVersion"] = _request.Type.GroupVersion, ["metadata"] = meta },
        };
        _context.Response.BodyWriter.Write(JsonText.ToUtf8(bookmark));
        _context.Response.BodyWriter.Write(Newline);
    }

    private async Task ExpireAsync(CancellationToken ct)
    {
        var oldest = _service.Store.OldestWatchableVersion;
        var status = ApiException.Status(410, "Expired", $"too old resource version: {_cursor} ({oldest + 1})");
        var line = new JsonObject { ["type"] = "ERROR", ["object"] = status };
        _context.Response.BodyWriter.Write(JsonText.ToUtf8(line));
        _context.Response.BodyWriter.Write(Newline);
        await _context.Response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>The watch's client was black-holed: the stream must write nothing more.</summary>
internal sealed class WatchSilencedException : Exception
{
}
