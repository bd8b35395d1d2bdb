using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>What kube-apiserver does with a CRD's structural <c>openAPIV3Schema</c> on every write of a custom
/// resource: prunes fields the schema does not declare (unless <c>x-kubernetes-preserve-unknown-fields</c>) and
/// fills in <c>default</c>s, so <c>autoAssign</c> reads back as <c>true</c> when a pool omits it.</summary>
internal static class StructuralSchema
{
    public static void Apply(JsonObject obj, JsonObject? schema)
    {
        if (schema is null)
        {
            return;
        }
        Walk(obj, schema, root: true);
    }

    private static void Walk(JsonNode? node, JsonObject schema, bool root = false)
    {
        switch (node)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    if (!root && JsonText.Bool(schema["x-kubernetes-preserve-unknown-fields"]) != true)
                    {
                        foreach (var name in obj.Select(p => p.Key).Where(k => !properties.ContainsKey(k)).ToList())
                        {
                            obj.Remove(name);
                        }
                    }
                    else if (root)
                    {
                        foreach (var name in obj.Select(p => p.Key)
                            .Where(k => k is not ("apiVersion" or "kind" or "metadata") && !properties.ContainsKey(k)).ToList())
                        {
                            obj.Remove(name);
                        }
                    }
                    foreach (var (name, propertySchema) in properties)
                    {
                        if (root && name is "apiVersion" or "kind" or "metadata")
                        {
                            continue;
                        }
                        if (propertySchema is not JsonObject ps)
                        {
                            continue;
                        }
                        if (!obj.ContainsKey(name) && ps["default"] is { } value)
                        {
                            obj[name] = value.DeepClone();
                        }
                        if (obj[name] is { } child)
                        {
                            Walk(child, ps);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject valueSchema)
                {
                    foreach (var (_, value) in obj)
                    {
                        Walk(value, valueSchema);
                    }
                }
                break;
            case JsonArray array when schema["items"] is JsonObject itemSchema:
                foreach (var item in array)
                {
                    Walk(item, itemSchema);
                }
                break;
        }
    }
}
