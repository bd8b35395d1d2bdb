using YamlDotNet.RepresentationModel;

namespace IronLb.Deploy.Tests;

/// <summary>One object of <c>kubectl kustomize deploy</c>'s output.</summary>
internal sealed record RenderedObject(string ApiVersion, string Kind, string? Namespace, string Name, YamlMappingNode Node)
{
    public override string ToString() => $"{Kind} {ApiVersion} {Namespace ?? "-"}/{Name}";
}

/// <summary>Renders deploy/ with the real kubectl (kustomize 5.5 inside kubectl 1.32) and parses the result.</summary>
internal static class Rendered
{
    public static async Task<(string Text, IReadOnlyList<RenderedObject> Objects)> RenderAsync()
    {
        using var kubectl = new Kubectl();
        var text = await kubectl.OkAsync("kustomize", RepoPaths.Deploy);
        return (text, Parse(text));
    }

    public static IReadOnlyList<RenderedObject> Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var objects = new List<RenderedObject>();
        foreach (var document in stream.Documents)
        {
            var root = (YamlMappingNode)document.RootNode;
            objects.Add(new RenderedObject(
                Scalar(root, "apiVersion")!,
                Scalar(root, "kind")!,
                Scalar(root, "metadata", "namespace"),
                Scalar(root, "metadata", "name")!,
                root));
        }

        return objects;
    }

    public static RenderedObject Single(this IReadOnlyList<RenderedObject> objects, string kind, string name) =>
        objects.Single(o => o.Kind == kind && o.Name == name);

    /// <summary>The node at a path of mapping keys, or null when any step is missing.</summary>
    public static YamlNode? At(YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static string? Scalar(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Seq(YamlNode node, params string[] path) =>
        At(node, path) is YamlSequenceNode seq ? seq.Children.ToList() : [];

    public static IReadOnlyList<string> Strings(YamlNode node, params string[] path) =>
        Seq(node, path).Select(n => ((YamlScalarNode)n).Value!).ToList();

    /// <summary>The only container of a workload's pod template.</summary>
    public static YamlMappingNode Container(RenderedObject workload) =>
        (YamlMappingNode)Seq(workload.Node, "spec", "template", "spec", "containers").Single();
}
