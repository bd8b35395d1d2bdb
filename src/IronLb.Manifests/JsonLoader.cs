using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace IronLb.Manifests;

/// <summary>
/// Reads a JSON file (one value, or several concatenated as kubectl accepts) into <see cref="ManifestNode"/>
/// trees with Utf8JsonReader, keeping the line of every value for error messages.
/// </summary>
internal static class JsonLoader
{
    /// <summary>Hands each top-level value to <paramref name="onDocument"/> as soon as it is read.</summary>
    public static void Load(string file, byte[] utf8, Action<ManifestDocument> onDocument)
    {
        // Editors on Windows save JSON with a byte-order mark, which Utf8JsonReader does not skip.
        if (utf8.AsSpan().StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        var lineStarts = LineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            AllowMultipleValues = true,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = ManifestLimits.MaxDepth,
        });
        var index = 0;
        try
        {
            while (reader.Read())
            {
                var root = ReadValue(ref reader, lineStarts, file);
                onDocument(new ManifestDocument(file, index++, root is ScalarNode { Kind: ScalarKind.Null } ? null : root));
            }
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            throw new ManifestSyntaxException(file, line, $"invalid JSON: {StripPosition(e.Message)}");
        }
    }

    private static ManifestNode ReadValue(ref Utf8JsonReader reader, int[] lineStarts, string file)
    {
        var line = LineOf(lineStarts, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<string, ManifestNode>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    var keyLine = LineOf(lineStarts, reader.TokenStartIndex);
                    if (!seen.Add(key))
                    {
                        throw new ManifestSyntaxException(file, keyLine, $"invalid JSON: key \"{key}\" appears twice in one object");
                    }

                    reader.Read();
                    entries.Add(new(key, ReadValue(ref reader, lineStarts, file)));
                }

                return new MappingNode(line, [.. entries]);
            case JsonTokenType.StartArray:
                var items = ImmutableArray.CreateBuilder<ManifestNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lineStarts, file));
                }

                return new SequenceNode(line, items.ToImmutable());
            case JsonTokenType.String:
                return new ScalarNode(line, reader.GetString()!, ScalarKind.String);
            case JsonTokenType.Number:
                var text = Encoding.UTF8.GetString(reader.ValueSpan);
                return new ScalarNode(line, text, reader.TryGetInt64(out _) ? ScalarKind.Integer : ScalarKind.Float);
            case JsonTokenType.True:
                return new ScalarNode(line, "true", ScalarKind.Bool);
            case JsonTokenType.False:
                return new ScalarNode(line, "false", ScalarKind.Bool);
            default:
                return new ScalarNode(line, "", ScalarKind.Null);
        }
    }

    private static int[] LineStarts(byte[] utf8)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return [.. starts];
    }

    private static int LineOf(int[] lineStarts, long index)
    {
        var found = Array.BinarySearch(lineStarts, (int)index);
        return (found >= 0 ? found : ~found - 1) + 1;
    }

    private static string StripPosition(string message)
    {
        // "... LineNumber: 3 | BytePositionInLine: 4." duplicates the line we already report.
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return at > 0 ? message[..at].TrimEnd() : message;
    }
}
