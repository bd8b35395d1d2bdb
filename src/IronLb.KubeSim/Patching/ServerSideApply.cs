using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Http;

namespace IronLb.KubeSim.Patching;

/// <summary>Server-side apply as far as clients can observe it: the applied configuration is merged into the live
/// object by list type, each manager's applied fields are remembered in <c>metadata.managedFields</c>, and fields a
/// manager applied before and omits now are removed unless another manager also applied them.
/// Ownership conflicts (409 without <c>force</c>) are not modelled: every apply behaves as if forced.</summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(JsonObject live, JsonObject applied, string manager, string? subresource, ListSchema schema, DateTimeOffset now)
    {
        var result = (JsonObject)live.DeepClone();
        var meta = result["metadata"] as JsonObject ?? [];
        result["metadata"] = meta;
        var entries = meta["managedFields"] as JsonArray ?? [];
        var current = FieldSet.Of(applied, schema);
        JsonObject? previous = null;
        var others = new List<JsonObject>();
        JsonObject? mine = null;
        foreach (var entry in entries.OfType<JsonObject>())
        {
            var isMine = entry["manager"]?.GetValue<string>() == manager
                && entry["operation"]?.GetValue<string>() == "Apply"
                && entry["subresource"]?.GetValue<string>() == subresource;
            if (isMine)
            {
                mine = entry;
                previous = entry["fieldsV1"] as JsonObject;
            }
            else if (entry["fieldsV1"] is JsonObject fields)
            {
                others.Add(fields);
            }
        }
        if (previous is not null)
        {
            FieldSet.Prune(result, previous, current, others, schema, "");
        }
        Merge(result, applied, schema, "");
        meta = (JsonObject)result["metadata"]!;
        if (mine is null || !JsonNode.DeepEquals(previous, current))
        {
            var newEntries = new JsonArray();
            foreach (var entry in (meta["managedFields"] as JsonArray ?? []).Where(e => e is JsonObject && !ReferenceEquals(e, mine) && !SameEntry(e, mine)))
            {
                newEntries.Add(entry!.DeepClone());
            }
            var created = new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Apply",
                ["apiVersion"] = applied["apiVersion"]?.DeepClone(),
                ["time"] = Time.Format(now),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = current,
            };
            if (subresource is not null)
            {
                created["subresource"] = subresource;
            }
            newEntries.AddNode(created);
            meta["managedFields"] = newEntries;
        }
        return result;
    }

    /// <summary>Records what a non-apply write changed under the writer's <c>Update</c> entry, so a later apply by
    /// someone else does not remove fields this manager set.</summary>
    public static void RecordUpdate(JsonObject updated, JsonObject? old, string manager, string? subresource, bool hasStatus, ListSchema schema, DateTimeOffset now)
    {
        var changed = FieldSet.Changed(old, updated, schema);
        // Each endpoint owns only what it may change: the main resource never status, /status never spec.
        changed.Remove(subresource == "status" ? "f:spec" : hasStatus ? "f:status" : "");
        if (changed.Count == 0)
        {
            return;
        }
        var meta = (JsonObject)updated["metadata"]!;
        var entries = meta["managedFields"] as JsonArray ?? [];
        var entry = entries.OfType<JsonObject>().FirstOrDefault(e =>
            e["manager"]?.GetValue<string>() == manager && e["operation"]?.GetValue<string>() == "Update"
            && e["subresource"]?.GetValue<string>() == subresource);
        if (entry is null)
        {
            entry = new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Update",
                ["apiVersion"] = updated["apiVersion"]?.DeepClone(),
                ["time"] = Time.Format(now),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = new JsonObject(),
            };
            if (subresource is not null)
            {
                entry["subresource"] = subresource;
            }
            entries.AddNode(entry);
        }
        entry["time"] = Time.Format(now);
        var fields = entry["fieldsV1"] as JsonObject ?? [];
        FieldSet.Union(fields, changed);
        entry["fieldsV1"] = fields;
        meta["managedFields"] = entries;
    }

    private static bool SameEntry(JsonNode? a, JsonObject? b) => b is not null && JsonNode.DeepEquals(a, b);

    private static void Merge(JsonObject live, JsonObject applied, ListSchema schema, string path)
    {
        foreach (var (name, value) in applied)
        {
            if (path == "metadata" && name is "managedFields" or "resourceVersion" or "uid" or "creationTimestamp" or "generation")
            {
                continue;
            }
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            switch (value)
            {
                case JsonObject child when live[name] is JsonObject liveChild:
                    Merge(liveChild, child, schema, childPath);
                    break;
                case JsonArray list when live[name] is JsonArray liveList:
                    live[name] = MergeList(liveList, list, schema, childPath);
                    break;
                default:
                    live[name] = value?.DeepClone();
                    break;
            }
        }
    }

    private static JsonArray MergeList(JsonArray live, JsonArray applied, ListSchema schema, string path)
    {
        var (listKind, keys) = schema.Describe(path);
        switch (listKind)
        {
            case ListKind.Set:
            {
                var result = (JsonArray)live.DeepClone();
                foreach (var item in applied.Where(i => !result.Any(r => JsonNode.DeepEquals(r, i))))
                {
                    result.Add(item?.DeepClone());
                }
                return result;
            }
            case ListKind.Map:
            {
                var result = (JsonArray)live.DeepClone();
                foreach (var item in applied)
                {
                    if (item is not JsonObject appliedItem)
                    {
                        throw ApiException.BadRequest($".{path}: expected an object in a list keyed by {string.Join(",", keys)}");
                    }
                    var key = FieldSet.ItemKey(appliedItem, keys);
                    var existing = result.OfType<JsonObject>().FirstOrDefault(i => FieldSet.ItemKey(i, keys) == key);
                    if (existing is null)
                    {
                        result.Add(appliedItem.DeepClone());
                    }
                    else
                    {
                        Merge(existing, appliedItem, schema, path);
                    }
                }
                return result;
            }
            default:
                return (JsonArray)applied.DeepClone();
        }
    }
}
