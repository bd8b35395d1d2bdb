using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;

namespace IronLb.Manifests;

/// <summary>
/// Typed access to one object's fields. Every mismatch (wrong type, unknown field, missing required field)
/// becomes an error naming the file, the field's line, the object and the field path; the object is then
/// not used, as the API server would have refused it. It also remembers the line of every field it was
/// asked for, so errors found later (by Core, which knows no files) can point at the field's line.
/// </summary>
internal sealed class ObjectContext(string file, string objectName, List<ManifestError> errors)
{
    private readonly Dictionary<string, int> _fieldLines = new(StringComparer.Ordinal);
    private int _errorCount;

    /// <summary>Field path ("spec.addresses[1]", "metadata.annotations[metallb.io/loadBalancerIPs]") → line.</summary>
    public IReadOnlyDictionary<string, int> FieldLines => _fieldLines;

    /// <summary>Makes <paramref name="alias"/> point where <paramref name="field"/> is, for values that win over another field's.</summary>
    public void LocateAs(string field, string alias)
    {
        if (_fieldLines.TryGetValue(field, out var line))
        {
            _fieldLines[alias] = line;
        }
    }

    public string File { get; } = file;
    public string ObjectName { get; set; } = objectName;
    public bool HasErrors => _errorCount > 0;

    public void Error(ManifestNode? at, string message)
    {
        _errorCount++;
        errors.Add(new ManifestError(File, at?.Line, ObjectName, message));
    }

    /// <summary>Reports every key of <paramref name="map"/> that is not in <paramref name="known"/>, as strict field validation does.</summary>
    public void RejectUnknown(MappingNode map, string path, FrozenSet<string> known)
    {
        foreach (var entry in map.Entries)
        {
            if (!known.Contains(entry.Key))
            {
                Error(entry.Value, $"unknown field \"{Join(path, entry.Key)}\"");
            }
        }
    }

    public MappingNode? Mapping(MappingNode parent, string key, string path, bool required = false) =>
        Get(parent, key, path, required) switch
        {
            null => null,
            MappingNode map => map,
            var other => WrongType<MappingNode>(other, Join(path, key), "a mapping"),
        };

    public SequenceNode? Sequence(MappingNode parent, string key, string path, bool required = false) =>
        Get(parent, key, path, required) switch
        {
            null => null,
            SequenceNode list => list,
            var other => WrongType<SequenceNode>(other, Join(path, key), "a list"),
        };

    public string? String(MappingNode parent, string key, string path, bool required = false) =>
        AsString(Get(parent, key, path, required), Join(path, key));

    public string? AsString(ManifestNode? node, string path) => node switch
    {
        null => null,
        ScalarNode { Kind: ScalarKind.String } scalar => scalar.Value,
        var other => WrongType<string>(other, path, "a string"),
    };

    public bool? Bool(MappingNode parent, string key, string path) =>
        Get(parent, key, path, required: false) switch
        {
            null => null,
            ScalarNode { Kind: ScalarKind.Bool } scalar => YamlLoader.ParseBool(scalar.Value),
            var other => WrongType<bool?>(other, Join(path, key), "a boolean"),
        };

    public long? Integer(MappingNode parent, string key, string path, bool required = false)
    {
        var node = Get(parent, key, path, required);
        if (node is null)
        {
            return null;
        }

        if (node is ScalarNode { Kind: ScalarKind.Integer } scalar && YamlLoader.TryParseInteger(scalar.Value, out var value))
        {
            return value;
        }

        // JSON has one number type: 80.0 is an integer to the API server.
        if (node is ScalarNode { Kind: ScalarKind.Float } f
            && double.TryParse(f.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d == Math.Floor(d) && Math.Abs(d) < 1e15)
        {
            return (long)d;
        }

        return WrongType<long?>(node, Join(path, key), "an integer");
    }

    public ImmutableArray<string> StringList(MappingNode parent, string key, string path)
    {
        var list = Sequence(parent, key, path);
        if (list is null)
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<string>(list.Items.Length);
        for (var i = 0; i < list.Items.Length; i++)
        {
            var itemPath = $"{Join(path, key)}[{i}]";
            _fieldLines[itemPath] = list.Items[i].Line;
            if (AsString(list.Items[i], itemPath) is { } value)
            {
                builder.Add(value);
            }
        }

        return builder.ToImmutable();
    }

    public ImmutableDictionary<string, string> StringMap(MappingNode parent, string key, string path)
    {
        var map = Mapping(parent, key, path);
        if (map is null)
        {
            return ImmutableDictionary<string, string>.Empty;
        }

        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            // Kubernetes maps of strings refuse numbers and booleans: `version: 1` must be quoted.
            var entryPath = $"{Join(path, key)}[{entry.Key}]";
            _fieldLines[entryPath] = entry.Value.Line;
            if (AsString(entry.Value, entryPath) is { } value)
            {
                builder[entry.Key] = value;
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>The mapping items of a list; non-mapping items are reported and skipped.</summary>
    public IEnumerable<(MappingNode Item, string Path)> MappingItems(MappingNode parent, string key, string path)
    {
        var list = Sequence(parent, key, path);
        if (list is null)
        {
            yield break;
        }

        for (var i = 0; i < list.Items.Length; i++)
        {
            var itemPath = $"{Join(path, key)}[{i}]";
            _fieldLines[itemPath] = list.Items[i].Line;
            if (list.Items[i] is MappingNode item)
            {
                yield return (item, itemPath);
            }
            else
            {
                WrongType<MappingNode>(list.Items[i], itemPath, "a mapping");
            }
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private ManifestNode? Get(MappingNode parent, string key, string path, bool required)
    {
        var node = parent[key];
        if (node is ScalarNode { Kind: ScalarKind.Null })
        {
            // An explicit null is "not set" to the API server.
            node = null;
        }

        if (node is null && required)
        {
            Error(parent, $"missing required field \"{Join(path, key)}\"");
        }

        if (node is not null)
        {
            _fieldLines[Join(path, key)] = node.Line;
        }

        return node;
    }

    private T? WrongType<T>(ManifestNode node, string path, string expected)
    {
        Error(node, $"{path}: expected {expected}, got {node.TypeName}");
        return default;
    }
}
