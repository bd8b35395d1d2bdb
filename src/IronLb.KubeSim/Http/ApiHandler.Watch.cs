using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Selectors;
using IronLb.KubeSim.Tables;
using IronLb.KubeSim.Watch;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Http;

/// <summary>A watch (<c>?watch=true</c> on a collection): streams events until the client, the timeout or the server ends it.</summary>
internal sealed partial class ApiHandler
{
    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string resourceVersion, bool asTable, IncludeObject include, CancellationToken ct)
    {
        var query = context.Request.Query;
        TimeSpan? timeout = long.TryParse(query["timeoutSeconds"], out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        var request = new WatchRequest(type, ns, labels, fields, resourceVersion, query["allowWatchBookmarks"].ToString() == "true",
            query["sendInitialEvents"].ToString() == "true", timeout, asTable, include);
        using var watchCancel = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping);
        try
        {
            await new WatchStream(_service, request, context, _time, _bookmarkInterval, () => _faults.Drops(context, watch: true)).RunAsync(watchCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the stream just ends, as when kube-apiserver restarts.
        }
        catch (WatchSilencedException)
        {
            // Black-holed: not another byte, not even the end of the stream, until the client gives up.
            await _faults.HoldAsync(context, _stopping).ConfigureAwait(false);
        }
    }
}
