using System.Text.Json.Nodes;

namespace IronLb.KubeSim.Patching;

/// <summary>Builds and walks field sets in the <c>FieldsV1</c> form that <c>metadata.managedFields</c> carries:
/// <c>f:name</c> for a field, <c>k:{"port":80,"protocol":"TCP"}</c> for a keyed list item, <c>v:"x"</c> for a set
/// member, and <c>"."</c> for "the item itself".</summary>
internal static class FieldSet
{
    /// <summary>Metadata the server owns; never part of anyone's applied fields.</summary>
    private static readonly HashSet<string> ServerMetadata =
    [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink",
    ];

    public static JsonObject Of(JsonObject applied, ListSchema schema) => OfObject(applied, schema, "", top: true);

    private static JsonObject OfObject(JsonObject obj, ListSchema schema, string path, bool top = false)
    {
        var set = new JsonObject();
        foreach (var (name, value) in obj)
        {
            if (top && name is "apiVersion" or "kind")
            {
                continue;
            }
            if (path == "metadata" && ServerMetadata.Contains(name))
            {
                continue;
            }
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            set["f:" + name] = value switch
            {
                JsonObject child => OfObject(child, schema, childPath),
                JsonArray list => OfList(list, schema, childPath),
                _ => new JsonObject(),
            };
        }
        if (top && set["f:metadata"] is JsonObject meta && meta.Count == 0)
        {
            set.Remove("f:metadata");
        }
        return set;
    }

    private static JsonObject OfList(JsonArray list, ListSchema schema, string path)
    {
        var (listKind, keys) = schema.Describe(path);
        var set = new JsonObject();
        switch (listKind)
        {
            case ListKind.Set:
                foreach (var item in list)
                {
                    set["v:" + Json.JsonText.Compact(item)] = new JsonObject();
                }
                break;
            case ListKind.Map:
                foreach (var item in list.OfType<JsonObject>())
                {
                    var entry = OfObject(item, schema, path);
                    entry["."] = new JsonObject();
                    set[ItemKey(item, keys)] = entry;
                }
                break;
        }
        return set;
    }

    /// <summary>The fields of <paramref name="updated"/> whose values differ from <paramref name="old"/>: what a
    /// non-apply write by one manager takes ownership of (its <c>Update</c> entry).</summary>
    public static JsonObject Changed(JsonObject? old, JsonObject updated, ListSchema schema) => ChangedObject(old, updated, schema, "", top: true);

    private static JsonObject ChangedObject(JsonObject? old, JsonObject updated, ListSchema schema, string path, bool top = false)
    {
        var set = new JsonObject();
        foreach (var (name, value) in updated)
        {
            if ((top && name is "apiVersion" or "kind") || (path == "metadata" && ServerMetadata.Contains(name)))
            {
                continue;
            }
            var before = old?[name];
            if (JsonNode.DeepEquals(before, value))
            {
                continue;
            }
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            set["f:" + name] = (value, before) switch
            {
                (JsonObject child, var b) => ChangedObject(b as JsonObject, child, schema, childPath),
                (JsonArray list, JsonArray previous) when schema.Describe(childPath).Kind == ListKind.Map => ChangedItems(previous, list, schema, childPath),
                (JsonArray list, null) => OfList(list, schema, childPath),
                _ => new JsonObject(),
            };
        }
        if (top && set["f:metadata"] is JsonObject meta && meta.Count == 0)
        {
            set.Remove("f:metadata");
        }
        return set;
    }

    private static JsonObject ChangedItems(JsonArray old, JsonArray updated, ListSchema schema, string path)
    {
        var keys = schema.Describe(path).Keys;
        var set = new JsonObject();
        foreach (var item in updated.OfType<JsonObject>())
        {
            var key = ItemKey(item, keys);
            var before = old.OfType<JsonObject>().FirstOrDefault(o => ItemKey(o, keys) == key);
            if (JsonNode.DeepEquals(before, item))
            {
                continue;
            }
            var entry = ChangedObject(before, item, schema, path);
            if (before is null)
            {
                entry["."] = new JsonObject();
            }
            set[key] = entry;
        }
        return set;
    }

    /// <summary>Adds every field of <paramref name="more"/> to <paramref name="set"/>.</summary>
    public static void Union(JsonObject set, JsonObject more)
    {
        foreach (var (key, value) in more)
        {
            if (set[key] is JsonObject existing && value is JsonObject child)
            {
                Union(existing, child);
            }
            else if (set[key] is null)
            {
                set[key] = value?.DeepClone();
            }
        }
    }

    public static string ItemKey(JsonObject item, IReadOnlyList<string> keys)
    {
        var key = new JsonObject();
        foreach (var k in keys)
        {
            var value = item[k]?.DeepClone() ?? (ListSchema.KeyDefault(k) is { } d ? JsonValue.Create(d) : null);
            if (value is not null)
            {
                key[k] = value;
            }
        }
        return "k:" + Json.JsonText.Compact(key);
    }

    /// <summary>Removes from <paramref name="live"/> what <paramref name="previous"/> held and neither
    /// <paramref name="current"/> nor any other manager holds: the fields a re-apply no longer mentions.</summary>
    public static void Prune(JsonNode? live, JsonObject previous, JsonObject? current, IReadOnlyList<JsonObject> others, ListSchema schema, string path)
    {
        foreach (var (key, prevChild) in previous)
        {
            if (key == ".")
            {
                continue;
            }
            var curChild = current?[key] as JsonObject;
            var otherChildren = others.Select(o => o[key]).OfType<JsonObject>().ToList();
            if (curChild is null && otherChildren.Count == 0)
            {
                RemoveChild(live, key, schema, path);
            }
            else if (prevChild is JsonObject prevObject && prevObject.Count > 0)
            {
                var (childLive, childPath) = Child(live, key, schema, path);
                if (childLive is not null)
                {
                    Prune(childLive, prevObject, curChild, otherChildren, schema, childPath);
                }
            }
        }
    }

    private static (JsonNode? Node, string Path) Child(JsonNode? live, string key, ListSchema schema, string path)
    {
        if (key.StartsWith("f:", StringComparison.Ordinal))
        {
            var name = key[2..];
            return (live is JsonObject o ? o[name] : null, path.Length == 0 ? name : $"{path}.{name}");
        }
        if (key.StartsWith("k:", StringComparison.Ordinal) && live is JsonArray list)
        {
            var (_, keys) = schema.Describe(path);
            return (list.OfType<JsonObject>().FirstOrDefault(i => ItemKey(i, keys) == key), path);
        }
        return (null, path);
    }

    private static void RemoveChild(JsonNode? live, string key, ListSchema schema, string path)
    {
        if (key.StartsWith("f:", StringComparison.Ordinal) && live is JsonObject o)
        {
            o.Remove(key[2..]);
        }
        else if (key.StartsWith("k:", StringComparison.Ordinal) && live is JsonArray list)
        {
            var (_, keys) = schema.Describe(path);
            foreach (var item in list.OfType<JsonObject>().Where(i => ItemKey(i, keys) == key).ToList())
            {
                list.Remove(item);
            }
        }
        else if (key.StartsWith("v:", StringComparison.Ordinal) && live is JsonArray set)
        {
            foreach (var item in set.Where(i => Json.JsonText.Compact(i) == key[2..]).ToList())
            {
                set.Remove(item);
            }
        }
    }
}
