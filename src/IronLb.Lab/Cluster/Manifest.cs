using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IronLb.Lab.Cluster;

/// <summary>One object of a manifest file, with its own YAML text (sent as a server-side apply body).</summary>
internal sealed record Manifest(string File, string ApiVersion, string Kind, string Name, string? Namespace, string Yaml)
{
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    public string Version => ApiVersion[(ApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..];

    public override string ToString() => $"{Kind} {(Namespace is null ? "" : Namespace + "/")}{Name} ({File})";

    /// <summary>Every object in the YAML/JSON files under <paramref name="path"/> (a file or a folder, recursively),
    /// in path order, as `kubectl apply -f DIR -R` reads them.</summary>
    public static List<Manifest> Load(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json")
                .Order(StringComparer.Ordinal)
                .ToList()
            : [path];
        return [.. files.SelectMany(LoadFile)];
    }

    private static IEnumerable<Manifest> LoadFile(string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(System.IO.File.ReadAllText(file)));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}: invalid YAML: {e.Message}", e);
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            var apiVersion = Text(root, "apiVersion");
            var kind = Text(root, "kind");
            var metadata = root.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) ? m as YamlMappingNode : null;
            var name = metadata is null ? null : Text(metadata, "name");
            if (apiVersion is null || kind is null || name is null)
            {
                throw new InvalidDataException($"{file}: an object without apiVersion, kind or metadata.name");
            }

            var text = new StringWriter();
            new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
            yield return new Manifest(file, apiVersion, kind, name, Text(metadata!, "namespace"), text.ToString());
        }
    }

    private static string? Text(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
}
