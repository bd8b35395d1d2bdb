using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Storage;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Http;

/// <summary>Reads request bodies by media type (parameters such as <c>charset</c> ignored): JSON, YAML, and the
/// protobuf that <c>kubectl create &lt;generator&gt;</c> sends for a few kinds.</summary>
internal static class RequestBody
{
    public static string MediaType(HttpRequest request)
    {
        var contentType = request.ContentType ?? "application/json";
        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    public static async Task<JsonNode?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return null;
        }
        return Decode(MediaType(request), buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// A non-empty body of the given media type as JSON. Bad input throws <see cref="ApiException"/> (a 4xx
    /// Status naming the problem); anything else escaping is a bug (the fuzzer's kubesim-body target hunts those).
    /// </summary>
    public static JsonNode? Decode(string media, ReadOnlySpan<byte> bytes)
    {
        if (media.Contains("protobuf", StringComparison.Ordinal))
        {
            return Protobuf.ProtobufBody.Decode(bytes);
        }
        try
        {
            return JsonText.Parse(bytes);
        }
        catch (JsonException) when (media.Contains("yaml", StringComparison.Ordinal))
        {
            return YamlToJson.Convert(Encoding.UTF8.GetString(bytes));
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    public static PatchKind PatchKindOf(HttpRequest request) => MediaType(request) switch
    {
        "application/json-patch+json" => PatchKind.Json,
        "application/merge-patch+json" => PatchKind.Merge,
        "application/strategic-merge-patch+json" => PatchKind.Strategic,
        "application/apply-patch+yaml" or "application/apply-patch+cbor" => PatchKind.Apply,
        var other => throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other})"),
    };
}
