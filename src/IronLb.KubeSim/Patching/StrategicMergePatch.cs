using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Http;

namespace IronLb.KubeSim.Patching;

/// <summary>The strategic merge patch subset kubectl sends for built-in kinds: lists merged by their merge keys,
/// <c>$patch: delete|replace</c>, <c>$retainKeys</c>, <c>$setElementOrder/</c>, <c>$deleteFromPrimitiveList/</c>,
/// and <c>null</c> deleting a field.</summary>
internal static class StrategicMergePatch
{
    private const string SetOrderPrefix = "$setElementOrder/";
    private const string DeleteFromPrimitivePrefix = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject target, JsonObject patch, string kind) => MergeObject(target, patch, kind, "");

    private static JsonObject MergeObject(JsonObject target, JsonObject patch, string kind, string path)
    {
        var directive = patch["$patch"]?.GetValue<string>();
        if (directive == "replace")
        {
            var replaced = (JsonObject)patch.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }
        if (directive == "delete")
        {
            return [];
        }
        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.GetValue<string>()).ToHashSet();
            foreach (var name in target.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                target.Remove(name);
            }
        }
        var orders = new List<(string Field, JsonArray Order)>();
        foreach (var (name, value) in patch)
        {
            if (name is "$patch" or "$retainKeys")
            {
                continue;
            }
            if (name.StartsWith(SetOrderPrefix, StringComparison.Ordinal))
            {
                orders.Add((name[SetOrderPrefix.Length..], value as JsonArray ?? []));
                continue;
            }
            if (name.StartsWith(DeleteFromPrimitivePrefix, StringComparison.Ordinal))
            {
                var field = name[DeleteFromPrimitivePrefix.Length..];
                if (target[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                    {
                        list.Remove(item);
                    }
                }
                continue;
            }
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            switch (value)
            {
                case null:
                    target.Remove(name);
                    break;
                case JsonObject patchChild when target[name] is JsonObject targetChild:
                    if (patchChild["$patch"]?.GetValue<string>() == "delete")
                    {
                        target.Remove(name);
                    }
                    else
                    {
                        var merged = MergeObject((JsonObject)targetChild.DeepClone(), patchChild, kind, childPath);
                        target[name] = merged;
                    }
                    break;
                case JsonObject patchChild:
                    target[name] = MergeObject([], patchChild, kind, childPath);
                    break;
                case JsonArray patchList:
                    target[name] = MergeList(target[name] as JsonArray, patchList, kind, childPath);
                    break;
                default:
                    target[name] = value.DeepClone();
                    break;
            }
        }
        foreach (var (field, order) in orders)
        {
            if (target[field] is JsonArray list)
            {
                target[field] = Reorder(list, order, kind, path.Length == 0 ? field : $"{path}.{field}");
            }
        }
        return target;
    }

    private static JsonArray MergeList(JsonArray? target, JsonArray patch, string kind, string path)
    {
        var (listKind, keys) = ListSchema.Builtin(kind, path);
        if (patch.OfType<JsonObject>().Any(i => i["$patch"]?.GetValue<string>() == "replace"))
        {
            return [.. patch.Where(i => i is not JsonObject o || o["$patch"] is null).Select(i => i?.DeepClone())];
        }
        if (listKind == ListKind.Atomic || target is null)
        {
            return [.. patch.Where(i => i is not JsonObject o || o["$patch"] is null).Select(i => i?.DeepClone())];
        }
        var result = (JsonArray)target.DeepClone();
        if (listKind == ListKind.Set)
        {
            foreach (var item in patch.Where(i => !result.Any(r => JsonNode.DeepEquals(r, i))))
            {
                result.Add(item?.DeepClone());
            }
            return result;
        }
        var key = keys[0];
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem)
            {
                throw ApiException.BadRequest($"the list {path} merges by {key}, but an element is not an object");
            }
            var keyValue = patchItem[key];
            var index = IndexOf(result, key, keyValue);
            if (patchItem["$patch"]?.GetValue<string>() == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }
                continue;
            }
            if (index >= 0)
            {
                result[index] = MergeObject((JsonObject)result[index]!.DeepClone(), patchItem, kind, path);
            }
            else
            {
                result.AddNode(MergeObject([], patchItem, kind, path));
            }
        }
        return result;
    }

    private static int IndexOf(JsonArray list, string key, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject o && JsonNode.DeepEquals(o[key], value))
            {
                return i;
            }
        }
        return -1;
    }

    private static JsonArray Reorder(JsonArray list, JsonArray order, string kind, string path)
    {
        var (listKind, keys) = ListSchema.Builtin(kind, path);
        var remaining = list.Select(i => i?.DeepClone()).ToList();
        var result = new JsonArray();
        foreach (var wanted in order)
        {
            var at = remaining.FindIndex(i => listKind == ListKind.Map && keys.Length > 0
                ? i is JsonObject o && wanted is JsonObject w && JsonNode.DeepEquals(o[keys[0]], w[keys[0]])
                : JsonNode.DeepEquals(i, wanted));
            if (at >= 0)
            {
                result.Add(remaining[at]);
                remaining.RemoveAt(at);
            }
        }
        foreach (var rest in remaining)
        {
            result.Add(rest);
        }
        return result;
    }
}
