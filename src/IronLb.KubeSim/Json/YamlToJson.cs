using System.Globalization;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IronLb.KubeSim.Json;

/// <summary>YAML to JSON for request bodies that really are YAML (<c>application/yaml</c>, apply-patch+yaml from
/// clients other than kubectl and KubernetesClient, which send JSON). Plain scalars resolve by the YAML 1.2 core
/// schema; quoted ones stay strings. Read from YamlDotNet's events with bounds, so a hostile body is a 400: nesting
/// deeper than <see cref="MaxDepth"/> (which overflowed the stack) and aliases expanding past <see cref="MaxNodes"/>
/// (a billion-laughs body never finished), like the API server's "excessive aliasing".</summary>
internal static class YamlToJson
{
    public const int MaxDepth = 100;
    public const int MaxNodes = 100_000;

    /// <summary>The first document as JSON (null for an empty body); bad YAML throws a 400 <see cref="ApiException"/>.</summary>
    public static JsonNode? Convert(string text)
    {
        // YamlDotNet reads NUL as its end of input and then fails with InvalidOperationException; YAML forbids NUL.
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw ApiException.BadRequest("the YAML body contains a NUL character");
        }

        var parser = new Parser(new StringReader(text));
        try
        {
            parser.MoveNext(); // StreamStart
            if (!parser.MoveNext() || parser.Current is not DocumentStart)
            {
                return null;
            }

            parser.MoveNext();
            return Read(parser, new Dictionary<string, (JsonNode? Node, int Count)>(StringComparer.Ordinal), new Counter(), 1);
        }
        catch (YamlException e)
        {
            throw ApiException.BadRequest($"the YAML body could not be read: {e.Message}");
        }
        catch (ArgumentException e)
        {
            // YamlDotNet checks a tag's URI form outside its scanner ("!!!!]" expands to no URI).
            throw ApiException.BadRequest($"the YAML body could not be read: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on a flow collection left open across lines ("a: {b" then "c: d").
            throw ApiException.BadRequest("the YAML body could not be read: a { or [ is left without its closing } or ]");
        }
    }

    private sealed class Counter
    {
        public int Nodes { get; private set; }

        public void Add(int count)
        {
            Nodes += count;
            if (Nodes > MaxNodes)
            {
                throw ApiException.BadRequest($"the YAML body expands to more than {MaxNodes} values (excessive aliasing)");
            }
        }
    }

    private static JsonNode? Read(Parser parser, Dictionary<string, (JsonNode? Node, int Count)> anchors, Counter counter, int depth)
    {
        var current = parser.Current ?? throw ApiException.BadRequest("the YAML body ended early");
        var before = counter.Nodes;
        JsonNode? node;
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw ApiException.BadRequest($"the YAML body uses an unknown alias *{alias.Value.Value}");
                }

                counter.Add(anchored.Count);
                return anchored.Node?.DeepClone();
            case Scalar scalar:
                parser.MoveNext();
                counter.Add(1);
                node = ScalarValue(scalar);
                break;
            case SequenceStart or MappingStart when depth > MaxDepth:
                throw ApiException.BadRequest($"the YAML body is nested deeper than {MaxDepth} levels");
            case SequenceStart:
                parser.MoveNext();
                counter.Add(1);
                var array = new JsonArray();
                while (parser.Current is not SequenceEnd)
                {
                    array.Add(Read(parser, anchors, counter, depth + 1));
                }

                parser.MoveNext();
                node = array;
                break;
            case MappingStart:
                parser.MoveNext();
                counter.Add(1);
                var obj = new JsonObject();
                while (parser.Current is not MappingEnd)
                {
                    if (parser.Current is not Scalar key)
                    {
                        throw ApiException.BadRequest("the YAML body has a mapping key that is not a string");
                    }

                    parser.MoveNext();
                    obj[key.Value] = Read(parser, anchors, counter, depth + 1);
                }

                parser.MoveNext();
                node = obj;
                break;
            default:
                throw ApiException.BadRequest($"the YAML body has an unexpected {current.GetType().Name}");
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } withAnchor)
        {
            anchors[withAnchor.Anchor.Value] = (node, counter.Nodes - before);
        }

        return node;
    }

    private static JsonNode? ScalarValue(Scalar scalar)
    {
        var value = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return value;
        }
        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && char.IsAsciiDigit(value[^1]) => d,
            _ => value,
        };
    }
}
