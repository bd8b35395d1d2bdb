using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IronLb.Manifests;

/// <summary>
/// Turns a YAML stream into <see cref="ManifestNode"/> trees using only YamlDotNet's event parser: no
/// object deserialiser, nothing reflection-based, so the reader stays NativeAOT-clean.
/// </summary>
internal static partial class YamlLoader
{
    private const string MergeKey = "<<";

    /// <summary>
    /// Hands each document to <paramref name="onDocument"/> as soon as it is parsed, so only one
    /// document's tree is alive at a time: a 50,000-Service file must not hold 50,000 trees.
    /// </summary>
    public static void Load(string file, string text, Action<ManifestDocument> onDocument)
    {
        // YamlDotNet's scanner reads NUL as its end-of-input marker and then fails with InvalidOperationException
        // inside a plain scalar: that was `ironlb plan`'s "internal error". YAML does not allow NUL anyway.
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new ManifestSyntaxException(file, 1 + text.AsSpan(0, nul).Count('\n'), "invalid YAML: the file contains a NUL character (byte 0); is it a binary file?");
        }

        var parser = new Parser(new StringReader(text));
        var index = 0;
        try
        {
            Advance(parser, file);
            Expect<StreamStart>(parser, file);
            while (parser.Current is DocumentStart)
            {
                Advance(parser, file);
                var anchors = new Dictionary<string, ManifestNode>(StringComparer.Ordinal);
                var root = ReadNode(parser, file, anchors, 1);
                Expect<DocumentEnd>(parser, file);
                onDocument(new ManifestDocument(file, index++, root is ScalarNode { Kind: ScalarKind.Null } ? null : root));
            }

            if (parser.Current is not StreamEnd)
            {
                throw new ManifestSyntaxException(file, (int)parser.Current!.Start.Line, "invalid YAML: expected the end of the stream");
            }
        }
        catch (YamlException e)
        {
            // YamlDotNet's messages carry their own "(Line: x, Col: y ...)" prefix; keep only the reason.
            // Start is where the construct began (e.g. the mapping); End is where the problem is.
            var line = (int)Math.Max(e.Start.Line, e.End.Line);
            if (e.Message.Contains("invalid tab", StringComparison.Ordinal))
            {
                // YamlDotNet points at the enclosing mapping; the user needs the line with the tab.
                line = FirstTabIndentedLine(text) ?? line;
            }

            throw new ManifestSyntaxException(file, line, $"invalid YAML: {StripMark(e.Message)}");
        }
    }

    /// <summary>
    /// The next event. YamlDotNet's scanner throws InvalidOperationException instead of a YamlException on a flow
    /// collection left open across lines ("name: {web" then the next key; found by fuzz/ manifest-yaml): that was
    /// `ironlb plan`'s "internal error (InvalidOperationException)" in issue #14.
    /// </summary>
    private static void Advance(Parser parser, string file)
    {
        try
        {
            parser.MoveNext();
        }
        catch (InvalidOperationException)
        {
            var line = parser.Current is null ? 0 : (int)parser.Current.End.Line;
            throw new ManifestSyntaxException(file, line, "invalid YAML: cannot read past this line; is a { or [ left without its closing } or ]?");
        }
        catch (ArgumentException e)
        {
            // YamlDotNet checks that a tag expands to a URI outside its scanner ("!!!!]" does not; found by CsCheck
            // on fuzz/ kubesim-body): without this it was `ironlb plan`'s "internal error (ArgumentException)".
            var line = parser.Current is null ? 1 : (int)parser.Current.End.Line;
            throw new ManifestSyntaxException(file, line, $"invalid YAML: a tag that is no URI ({e.Message})");
        }
    }

    private static void Expect<T>(Parser parser, string file)
        where T : ParsingEvent
    {
        if (parser.Current is not T)
        {
            var line = parser.Current is null ? 0 : (int)parser.Current.Start.Line;
            throw new ManifestSyntaxException(file, line, $"invalid YAML: unexpected {parser.Current?.GetType().Name ?? "end of file"}");
        }

        Advance(parser, file);
    }

    private static ManifestNode ReadNode(Parser parser, string file, Dictionary<string, ManifestNode> anchors, int depth)
    {
        var current = parser.Current ?? throw new ManifestSyntaxException(file, 0, "invalid YAML: unexpected end of file");
        var line = (int)current.Start.Line;
        if (depth > ManifestLimits.MaxDepth && current is SequenceStart or MappingStart)
        {
            // Refused, never recursed into: 100,000 '[' would overflow the stack, which no catch survives.
            throw new ManifestSyntaxException(file, line, $"invalid YAML: nested deeper than {ManifestLimits.MaxDepth} levels");
        }
        ManifestNode node;
        switch (current)
        {
            case AnchorAlias alias:
                Advance(parser, file);
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new ManifestSyntaxException(file, line, $"invalid YAML: unknown alias *{alias.Value.Value}");
            case Scalar scalar:
                Advance(parser, file);
                node = new ScalarNode(line, scalar.Value, Resolve(scalar));
                break;
            case SequenceStart:
                Advance(parser, file);
                var items = ImmutableArray.CreateBuilder<ManifestNode>();
                while (parser.Current is not SequenceEnd)
                {
                    items.Add(ReadNode(parser, file, anchors, depth + 1));
                }

                Advance(parser, file);
                node = new SequenceNode(line, items.ToImmutable());
                break;
            case MappingStart:
                Advance(parser, file);
                node = ReadMapping(parser, file, anchors, line, depth);
                break;
            default:
                throw new ManifestSyntaxException(file, line, $"invalid YAML: unexpected {current.GetType().Name}");
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            anchors[anchored.Anchor.Value] = node;
        }

        return node;
    }

    private static MappingNode ReadMapping(Parser parser, string file, Dictionary<string, ManifestNode> anchors, int line, int depth)
    {
        var entries = new List<KeyValuePair<string, ManifestNode>>();
        var keyLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var merged = new List<KeyValuePair<string, ManifestNode>>();
        while (parser.Current is not MappingEnd)
        {
            var keyLine = (int)parser.Current!.Start.Line;
            if (parser.Current is not Scalar key)
            {
                throw new ManifestSyntaxException(file, keyLine, "invalid YAML: mapping keys must be scalars");
            }

            Advance(parser, file);
            var value = ReadNode(parser, file, anchors, depth + 1);
            if (key.Style == ScalarStyle.Plain && key.Value == MergeKey)
            {
                // YAML merge keys (<<: *defaults), which Kubernetes' YAML library honours.
                merged.AddRange(MergeSources(value, file));
                continue;
            }

            if (keyLines.TryGetValue(key.Value, out var firstLine))
            {
                // sigs.k8s.io/yaml rejects duplicate keys; silently keeping one would hide a typo.
                throw new ManifestSyntaxException(file, keyLine, $"invalid YAML: key \"{key.Value}\" already defined at line {firstLine}");
            }

            keyLines[key.Value] = keyLine;
            entries.Add(new(key.Value, value));
        }

        Advance(parser, file);
        foreach (var entry in merged)
        {
            if (keyLines.TryAdd(entry.Key, entry.Value.Line))
            {
                entries.Add(entry);
            }
        }

        return new MappingNode(line, [.. entries]);
    }

    private static IEnumerable<KeyValuePair<string, ManifestNode>> MergeSources(ManifestNode value, string file) => value switch
    {
        MappingNode mapping => mapping.Entries,
        SequenceNode sequence => sequence.Items.SelectMany(item => item is MappingNode m
            ? m.Entries
            : throw new ManifestSyntaxException(file, item.Line, "invalid YAML: a merge key (<<) takes mappings")),
        _ => throw new ManifestSyntaxException(file, value.Line, "invalid YAML: a merge key (<<) takes mappings"),
    };

    private static ScalarKind Resolve(Scalar scalar)
    {
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            switch (scalar.Tag.Value)
            {
                case "tag:yaml.org,2002:str": return ScalarKind.String;
                case "tag:yaml.org,2002:null": return ScalarKind.Null;
                case "tag:yaml.org,2002:bool": return ScalarKind.Bool;
                case "tag:yaml.org,2002:int": return ScalarKind.Integer;
                case "tag:yaml.org,2002:float": return ScalarKind.Float;
                default: break;
            }
        }

        return scalar.Style == ScalarStyle.Plain ? ResolvePlain(scalar.Value) : ScalarKind.String;
    }

    /// <summary>YAML 1.2 core schema resolution of an untagged plain scalar.</summary>
    internal static ScalarKind ResolvePlain(string value)
    {
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return ScalarKind.Null;
            case "true" or "True" or "TRUE" or "false" or "False" or "FALSE":
                return ScalarKind.Bool;
            default:
                break;
        }

        if (IntegerPattern().IsMatch(value))
        {
            return ScalarKind.Integer;
        }

        return FloatPattern().IsMatch(value) ? ScalarKind.Float : ScalarKind.String;
    }

    internal static bool ParseBool(string value) =>
        value is "true" or "True" or "TRUE";

    internal static bool TryParseInteger(string value, out long result)
    {
        if (value.StartsWith("0x", StringComparison.Ordinal))
        {
            return long.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result);
        }

        if (value.StartsWith("0o", StringComparison.Ordinal))
        {
            // Too many digits is "not an integer", like the other forms, not an OverflowException: that one
            // escaped as `ironlb plan`'s "internal error (OverflowException)" without naming the file.
            result = 0;
            foreach (var c in value.AsSpan(2))
            {
                if (c is < '0' or > '7' || result > (long.MaxValue - 7) / 8)
                {
                    result = 0;
                    return false;
                }

                result = (result * 8) + (c - '0');
            }

            return value.Length > 2;
        }

        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
    }

    private static int? FirstTabIndentedLine(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart(' ').StartsWith('\t'))
            {
                return i + 1;
            }
        }

        return null;
    }

    private static string StripMark(string message)
    {
        var close = message.StartsWith("(Line:", StringComparison.Ordinal) ? message.IndexOf("): ", StringComparison.Ordinal) : -1;
        return close >= 0 ? message[(close + 3)..] : message;
    }

    [GeneratedRegex("^[-+]?([0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
