using System.Text.Json;
using IronLb.Kubernetes.Informers;

namespace IronLb.Kubernetes.Client;

/// <summary>What a list page says besides its items: the version the list is consistent at, and the token for the rest.</summary>
public readonly record struct ListPageMetadata(string ResourceVersion, string? Continue);

/// <summary>
/// Reads one list answer (<c>{"metadata":{...},"items":[...]}</c>) from its UTF-8 bytes with a forward-only reader:
/// each item is handed to the kind's parser as its own slice of the body. No document tree and no string per item,
/// which at 10,000 Services was a 16 MB pooled buffer the GC kept after every list. Refuses only with
/// <see cref="JsonException"/> naming the list.
/// </summary>
public static class ListPageReader
{
    public static ListPageMetadata Read<T>(ReadOnlySpan<byte> body, string listPath, Utf8Parser<T> parse, List<T> into)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(into);
        try
        {
            return ReadObject(body, parse, into);
        }
        catch (JsonException e)
        {
            throw new JsonException($"list of {listPath}: {e.Message}", e);
        }
    }

    private static ListPageMetadata ReadObject<T>(ReadOnlySpan<byte> body, Utf8Parser<T> parse, List<T> into)
        where T : class
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the answer is not a JSON object");
        }

        var meta = new ListPageMetadata("", null);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            var isItems = !isMetadata && reader.ValueTextEquals("items"u8);
            reader.Read();
            if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
            {
                meta = ReadMetadata(ref reader);
            }
            else if (isItems && reader.TokenType == JsonTokenType.StartArray)
            {
                ReadItems(ref reader, body, parse, into);
            }
            else if (isItems && reader.TokenType != JsonTokenType.Null)
            {
                throw new JsonException($"items is a {reader.TokenType}, not an array");
            }
            else
            {
                reader.Skip();
            }
        }

        return meta;
    }

    private static ListPageMetadata ReadMetadata(ref Utf8JsonReader reader)
    {
        string version = "";
        string? next = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = reader.ValueTextEquals("resourceVersion"u8);
            var isContinue = !isVersion && reader.ValueTextEquals("continue"u8);
            reader.Read();
            if ((isVersion || isContinue) && reader.TokenType == JsonTokenType.String)
            {
                var text = reader.GetString() ?? "";
                if (isVersion)
                {
                    version = text;
                }
                else
                {
                    next = text.Length == 0 ? null : text;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return new ListPageMetadata(version, next);
    }

    private static void ReadItems<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, Utf8Parser<T> parse, List<T> into)
        where T : class
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            into.Add(parse(body[start..end]));
        }
    }
}
