using System.Globalization;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;

namespace IronLb.KubeSim.Patching;

/// <summary>RFC 6902 JSON patch on a <see cref="JsonNode"/> tree: add, remove, replace, move, copy, test.
/// Failures are the 422 kube-apiserver returns for a patch that cannot be applied.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiException.BadRequest("the JSON patch is not an array of operations");
        }
        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op)
            {
                throw ApiException.BadRequest("a JSON patch operation is not an object");
            }
            var kind = op["op"]?.GetValue<string>() ?? throw Fail("missing op");
            var path = op["path"]?.GetValue<string>() ?? throw Fail("missing path");
            switch (kind)
            {
                case "add":
                    Add(root, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, op["value"]?.DeepClone());
                    break;
                case "move":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw Fail("missing from");
                    var value = Remove(root, from);
                    Add(root, path, value);
                    break;
                }
                case "copy":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw Fail("missing from");
                    Add(root, path, Get(root, from)?.DeepClone());
                    break;
                }
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw Fail($"testing value {path} failed");
                    }
                    break;
                default:
                    throw Fail($"Unexpected kind: {kind}");
            }
        }
        return root["doc"] ?? throw Fail("the patch removed the whole document");
    }

    private static ApiException Fail(string message) => new(422, "Invalid", $"the server rejected our request due to an error in our request: {message}");

    private static List<string> Tokens(string path)
    {
        if (path.Length == 0)
        {
            return ["doc"];
        }
        if (path[0] != '/')
        {
            throw Fail($"invalid JSON pointer {path}");
        }
        var tokens = new List<string> { "doc" };
        tokens.AddRange(path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
        return tokens;
    }

    private static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(path))
        {
            node = Child(node, token, path);
        }
        return node;
    }

    private static JsonNode? Child(JsonNode? node, string token, string path) => node switch
    {
        JsonObject o when o.TryGetPropertyValue(token, out var v) => v,
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => throw Fail($"doc is missing path: \"{path}\""),
    };

    private static JsonNode Parent(JsonObject root, List<string> tokens, string path)
    {
        JsonNode? node = root;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            node = Child(node, token, path);
        }
        return node ?? throw Fail($"doc is missing path: \"{path}\"");
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        var parent = Parent(root, tokens, path);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Fail($"unable to add at {path}");
        }
    }

    private static JsonNode? Remove(JsonObject root, string path)
    {
        var tokens = Tokens(path);
        var parent = Parent(root, tokens, path);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var v):
                o.Remove(last);
                return v;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                var removed = a[i];
                a.RemoveAt(i);
                return removed;
            default:
                throw Fail($"doc is missing path: \"{path}\"");
        }
    }
}
