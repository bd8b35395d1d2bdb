using System.Text.Json;
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

    /// <summary>The OpenAPI checks every write of a custom resource passes: types, <c>required</c>, <c>enum</c>,
    /// <c>minimum</c>/<c>maximum</c>. (CEL rules and formats are not evaluated.) Errors use kube-apiserver's wording.</summary>
    public static List<(string Field, string Message)> Validate(JsonObject obj, JsonObject? schema)
    {
        var errors = new List<(string, string)>();
        if (schema is not null)
        {
            Check(obj, schema, "", errors, root: true);
        }
        return errors;
    }

    private static void Check(JsonNode? node, JsonObject schema, string path, List<(string, string)> errors, bool root = false)
    {
        var type = JsonText.Str(schema, "type");
        var intOrString = JsonText.Bool(schema["x-kubernetes-int-or-string"]) == true;
        var kind = node switch
        {
            null => "null",
            JsonObject => "object",
            JsonArray => "array",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => "string",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValueKind.Number => JsonText.Long(v) is not null && v.ToJsonString().All(c => char.IsAsciiDigit(c) || c == '-') ? "integer" : "number",
                _ => "null",
            },
            _ => "null",
        };
        if (kind == "null")
        {
            return;
        }
        var typeOk = type is null
            || (intOrString && kind is "integer" or "string")
            || type == kind
            || (type == "number" && kind == "integer");
        if (!typeOk)
        {
            errors.Add((path, $"Invalid value: \"{kind}\": {path} in body must be of type {type}: \"{kind}\""));
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add((path, $"Unsupported value: {JsonText.Compact(node)}: supported values: {string.Join(", ", allowed.Select(JsonText.Compact))}"));
        }
        if (kind is "integer" or "number" && JsonText.Long(node) is { } number)
        {
            if (JsonText.Long(schema["minimum"]) is { } min && number < min)
            {
                errors.Add((path, $"Invalid value: {number}: {path} in body should be greater than or equal to {min}"));
            }
            if (JsonText.Long(schema["maximum"]) is { } max && number > max)
            {
                errors.Add((path, $"Invalid value: {number}: {path} in body should be less than or equal to {max}"));
            }
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(JsonText.Cell))
                {
                    if (obj[required] is null && !(root && required is "apiVersion" or "kind" or "metadata"))
                    {
                        errors.Add((Join(path, required), "Required value"));
                    }
                }
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, value) in obj)
                    {
                        if (root && name is "apiVersion" or "kind" or "metadata")
                        {
                            continue;
                        }
                        if (properties[name] is JsonObject ps)
                        {
                            Check(value, ps, Join(path, name), errors);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject valueSchema)
                {
                    foreach (var (name, value) in obj)
                    {
                        Check(value, valueSchema, Join(path, name), errors);
                    }
                }
                break;
            case JsonArray array when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], itemSchema, $"{path}[{i}]", errors);
                }
                break;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

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
