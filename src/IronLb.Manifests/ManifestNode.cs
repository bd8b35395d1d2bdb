using System.Collections.Immutable;

namespace IronLb.Manifests;

// A small document tree shared by the YAML and JSON loaders. Every node keeps the line it starts on so
// an error about a field can point at that field, not only at the file.

/// <summary>How a scalar resolves, following the YAML 1.2 core schema that Kubernetes' YAML→JSON step applies.</summary>
internal enum ScalarKind
{
    Null,
    Bool,
    Integer,
    Float,
    String,
}

internal abstract class ManifestNode(int line)
{
    /// <summary>1-based line where the node starts.</summary>
    public int Line { get; } = line;

    /// <summary>The JSON-ish name of the node's type, for "expected a string, got a mapping" messages.</summary>
    public abstract string TypeName { get; }
}

internal sealed class ScalarNode(int line, string value, ScalarKind kind) : ManifestNode(line)
{
    public string Value { get; } = value;
    public ScalarKind Kind { get; } = kind;

    public override string TypeName => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Bool => "a boolean",
        ScalarKind.Integer or ScalarKind.Float => "a number",
        _ => "a string",
    };
}

internal sealed class SequenceNode(int line, ImmutableArray<ManifestNode> items) : ManifestNode(line)
{
    public ImmutableArray<ManifestNode> Items { get; } = items;
    public override string TypeName => "a list";
}

internal sealed class MappingNode(int line, ImmutableArray<KeyValuePair<string, ManifestNode>> entries) : ManifestNode(line)
{
    public ImmutableArray<KeyValuePair<string, ManifestNode>> Entries { get; } = entries;
    public override string TypeName => "a mapping";

    public ManifestNode? this[string key]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (string.Equals(entry.Key, key, StringComparison.Ordinal))
                {
                    return entry.Value;
                }
            }

            return null;
        }
    }
}

/// <summary>One document of a file: a node tree, or nothing when the document is empty.</summary>
internal sealed record ManifestDocument(string File, int Index, ManifestNode? Root);
