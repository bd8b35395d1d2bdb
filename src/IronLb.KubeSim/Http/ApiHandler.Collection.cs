using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Selectors;
using IronLb.KubeSim.Storage;
using IronLb.KubeSim.Tables;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Http;

/// <summary>Requests on a collection (<c>.../namespaces/ns/services</c>): list or watch, create, delete many.</summary>
internal sealed partial class ApiHandler
{
    private async Task CollectionAsync(HttpContext context, ResourceType type, string? ns, string accept, WriteOptions options, CancellationToken ct)
    {
        var request = context.Request;
        var query = request.Query;
        switch (request.Method)
        {
            case "GET":
                await CollectionGetAsync(context, type, ns, accept, ct).ConfigureAwait(false);
                return;
            case "POST":
            {
                if (type.Namespaced && ns is null)
                {
                    throw NotFound();
                }
                var body = await RequestBody.ReadAsync(request, ct).ConfigureAwait(false) as JsonObject
                    ?? throw ApiException.BadRequest("the request body must be an object");
                var created = _service.Create(type, ns ?? "", body, options);
                await WriteObjectAsync(context, 201, type, created, accept, ct).ConfigureAwait(false);
                return;
            }
            case "DELETE":
            {
                var labels = LabelSelector.Parse(query["labelSelector"]);
                var fields = FieldSelector.Parse(query["fieldSelector"], type);
                var deleted = _service.DeleteCollection(type, ns, labels, fields, options);
                await WriteListAsync(context, type, deleted, _service.Store.CurrentResourceVersion, ct).ConfigureAwait(false);
                return;
            }
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }
    }

    private async Task CollectionGetAsync(HttpContext context, ResourceType type, string? ns, string accept, CancellationToken ct)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        var resourceVersion = query["resourceVersion"].ToString();
        var watch = query["watch"].ToString() is "true" or "1";
        var asTable = accept.Contains("as=Table", StringComparison.Ordinal);
        var include = query["includeObject"].ToString() switch
        {
            "Object" => IncludeObject.Object,
            "None" => IncludeObject.None,
            _ => IncludeObject.Metadata,
        };
        if (watch)
        {
            await WatchAsync(context, type, ns, labels, fields, resourceVersion, asTable, include, ct).ConfigureAwait(false);
            return;
        }
        var page = _service.List(type, ns, labels, fields, resourceVersion, query["resourceVersionMatch"], Limit(query["limit"]), query["continue"]);
        var items = page.Items;
        if (asTable)
        {
            var table = TableBuilder.Build(type, items, page.ResourceVersion, include, _time.GetUtcNow());
            AddPaging((JsonObject)table["metadata"]!, page);
            await WriteJsonAsync(context, 200, table, ct).ConfigureAwait(false);
            return;
        }
        if (accept.Contains("as=PartialObjectMetadataList", StringComparison.Ordinal))
        {
            var list = new JsonArray();
            foreach (var item in items)
            {
                list.AddNode(PartialMetadata(ObjectService.Present(type, item)));
            }
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["kind"] = "PartialObjectMetadataList",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = AddPaging(new JsonObject { ["resourceVersion"] = StoredObject.FormatVersion(page.ResourceVersion) }, page),
                ["items"] = list,
            }, ct).ConfigureAwait(false);
            return;
        }
        await WriteListAsync(context, type, items, page.ResourceVersion, ct, page).ConfigureAwait(false);
    }

    /// <summary>The page size asked for; none (0) when absent or not positive, as the real server reads it.</summary>
    private static long Limit(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var limit)
            ? Math.Max(limit, 0)
            : throw ApiException.BadRequest($"limit: invalid value \"{text}\": not an integer");
    }

    private static JsonObject AddPaging(JsonObject metadata, ListPage page)
    {
        if (page.Continue is { } next)
        {
            metadata["continue"] = next;
        }

        if (page.RemainingItemCount is { } remaining)
        {
            metadata["remainingItemCount"] = remaining;
        }

        return metadata;
    }

    /// <summary>Writes a list from the stored bytes of each item, so a LIST copies bytes instead of serialising.</summary>
    private static async Task WriteListAsync(HttpContext context, ResourceType type, List<StoredObject> items, long resourceVersion, CancellationToken ct, ListPage? page = null)
    {
        var paging = page is null ? "" : AddPaging(new JsonObject(), page) is { Count: > 0 } more ? "," + more.ToJsonString()[1..^1] : "";
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var writer = response.BodyWriter;
        writer.Write(Encoding.UTF8.GetBytes(
            $"{{\"kind\":\"{type.ListKind}\",\"apiVersion\":\"{type.GroupVersion}\",\"metadata\":{{\"resourceVersion\":\"{resourceVersion}\"{paging}}},\"items\":["));
        var pending = 0L;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }
            var bytes = ObjectService.PresentBytes(type, items[i]);
            writer.Write(bytes);
            pending += bytes.Length;
            if (pending > 1 << 20)
            {
                await writer.FlushAsync(ct).ConfigureAwait(false);
                pending = 0;
            }
        }
        writer.Write("]}"u8);
        await writer.FlushAsync(ct).ConfigureAwait(false);
    }
}
