using System.Text.Json;

namespace IronLb.Kubernetes.Client;

/// <summary>
/// Reads one line of a watch stream (<c>{"type":"ADDED","object":{...}}</c>) and the small bodies the informer
/// looks into (a BOOKMARK's resourceVersion, an ERROR's Status). Total: any text gives an event or a reason
/// it is not one, never an exception, so a garbled line from a proxy cannot take the informer down by surprise.
/// </summary>
public static class WatchLine
{
    /// <summary>Deep enough for any Kubernetes object; JSON deeper than this is refused, not recursed into.</summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 128 };

    /// <summary>An event, or null with <paramref name="error"/> saying why the line is not one.</summary>
    public static WatchEvent? Parse(string line, out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        error = null;
        try
        {
            using var document = JsonDocument.Parse(line, Options);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"expected a JSON object, got {Describe(root.ValueKind)}";
                return null;
            }

            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                error = "the event has no \"type\" string";
                return null;
            }

            if (!root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
            {
                error = $"the {type.GetString()} event has no \"object\" object";
                return null;
            }

            return new WatchEvent(type.GetString()!, obj.GetRawText());
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return null;
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json checks escapes lazily: a lone surrogate ("\ud800") in a name throws here, on lookup
            // (found by fuzz/ watch-line).
            error = $"not JSON text: {e.Message}";
            return null;
        }
    }

    /// <summary>metadata.resourceVersion of a BOOKMARK's object, when it has one as a string.</summary>
    public static string? ResourceVersion(string objectJson)
    {
        ArgumentNullException.ThrowIfNull(objectJson);
        try
        {
            using var document = JsonDocument.Parse(objectJson, Options);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("metadata", out var meta)
                && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("resourceVersion", out var rv)
                && rv.ValueKind == JsonValueKind.String
                ? rv.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The Status an ERROR event carries, as the exception the informer acts on (410 Gone relists).</summary>
    public static KubeApiException Status(string objectJson)
    {
        ArgumentNullException.ThrowIfNull(objectJson);
        int code = 500;
        string reason = "", message = objectJson;
        try
        {
            using var document = JsonDocument.Parse(objectJson, Options);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) && n is >= 100 and <= 599 ? n : 500;
                reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
                message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not a Status (or a lone surrogate escape, which System.Text.Json finds only on lookup): the raw text
            // is the message, and a 500 retries with back-off.
        }

        return new KubeApiException((System.Net.HttpStatusCode)code, reason, message);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
