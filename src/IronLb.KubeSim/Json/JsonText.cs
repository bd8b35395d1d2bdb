using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronLb.KubeSim.Json;

/// <summary>Small helpers over <see cref="JsonNode"/>: objects are stored and served as JSON, never as typed models,
/// so fields KubeSim does not know survive every round trip.</summary>
internal static class JsonText
{
    // Go's encoder writes a quote inside a string as \", not \u0022; clients that compare messages see the same text.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Compact JSON text with Go-like escaping.</summary>
    public static string Compact(JsonNode? node) => node is null ? "null" : System.Text.Encoding.UTF8.GetString(ToUtf8(node));

    public static byte[] ToUtf8(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string ToText(JsonNode? node) => Compact(node);

    public static JsonObject Obj(JsonNode? parent, string name)
    {
        if (parent is not JsonObject o)
        {
            throw new InvalidOperationException("parent is not an object");
        }
        if (o[name] is JsonObject child)
        {
            return child;
        }
        var created = new JsonObject();
        o[name] = created;
        return created;
    }

    public static string? Str(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static string? Str(JsonNode? node, string a, string b) => Str(node is JsonObject o ? o[a] : null, b);

    public static string? Str(JsonNode? node, string a, string b, string c) =>
        Str(node is JsonObject o && o[a] is JsonObject p ? p[b] : null, c);

    public static bool? Bool(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    /// <summary>A number as long, whether parsed from a request or created in code (JsonValue of int, long, double).</summary>
    public static long? Long(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }
        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }
        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }
        if (v.TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out l))
        {
            return l;
        }
        return v.TryGetValue<double>(out var d) ? (long)d : null;
    }

    /// <summary>Walks a dotted path of object members.</summary>
    public static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var part in path)
        {
            if (node is not JsonObject o)
            {
                return null;
            }
            node = o[part];
        }
        return node;
    }

    /// <summary>
    /// Parses and checks up front what JsonNode would otherwise find only on first access, as an exception no
    /// handler expects (found by fuzz/ kubesim-body): strings that are not UTF-8 and duplicate keys.
    /// </summary>
    public static JsonNode Parse(ReadOnlySpan<byte> utf8) =>
        !System.Text.Unicode.Utf8.IsValid(utf8) ? throw new JsonException("the body is not UTF-8 text")
        : JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 256, AllowDuplicateProperties = false })
        ?? throw new JsonException("the body is JSON null");

    /// <summary>A human-readable rendering used for printer cells: strings bare, everything else as compact JSON.</summary>
    public static string Cell(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => Compact(node),
    };

    public static JsonArray StringArray(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (var value in values)
        {
            array.AddNode(value);
        }
        return array;
    }
}

/// <summary>Adds nodes through the non-generic overload: <c>JsonArray.Add&lt;T&gt;</c> would bind first and is
/// reflection-based (not trimming/AOT safe).</summary>
internal static class JsonArrayExtensions
{
    public static void AddNode(this JsonArray array, JsonNode? node) => array.Add(node);
}
