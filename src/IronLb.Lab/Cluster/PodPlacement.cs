using System.Collections.Immutable;
using IronLb.Core.Announcement;
using IronLb.Lab.Topology;
using YamlDotNet.RepresentationModel;

namespace IronLb.Lab.Cluster;

/// <summary>What the lab needs to know of an example Service to give it pods.</summary>
internal sealed record ExampleService(string Namespace, string Name, bool LoadBalancer, bool HasSelector, bool Egress, string? FirstAddress)
{
    /// <summary>Metaleg's switch, which IronLB honours: the Service's endpoints send from its address.</summary>
    public const string EgressLabel = "metaleg.de/rewriteSrcIP";

    public override string ToString() => $"{Namespace}/{Name}";

    /// <summary>The Service in a manifest (null for other kinds); a field it cannot read counts as absent.</summary>
    public static ExampleService? From(Manifest manifest)
    {
        if (manifest is not { Kind: "Service", ApiVersion: "v1" })
        {
            return null;
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(manifest.Yaml));
        if (stream.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root)
        {
            return null;
        }

        var metadata = Map(root, "metadata");
        var spec = Map(root, "spec");
        var labels = Map(metadata, "labels");
        var named = Text(Map(metadata, "annotations"), "metallb.io/loadBalancerIPs")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var ingress = Child(Map(root, "status") is { } status ? Map(status, "loadBalancer") : null, "ingress") as YamlSequenceNode;
        var reported = ingress?.Children.OfType<YamlMappingNode>().Select(i => Text(i, "ip")).OfType<string>().FirstOrDefault();
        return new ExampleService(
            manifest.Namespace ?? "default",
            manifest.Name,
            Text(spec, "type") == "LoadBalancer",
            Map(spec, "selector") is { Children.Count: > 0 },
            Text(labels, EgressLabel) == "true",
            named ?? reported);
    }

    private static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static YamlMappingNode? Map(YamlMappingNode? map, string key) => Child(map, key) as YamlMappingNode;

    private static string? Text(YamlMappingNode? map, string key) => Child(map, key) is YamlScalarNode { Value: { } value } ? value : null;
}

/// <summary>A pod the lab runs: which Service it serves and on which node (its addresses follow from the plan).</summary>
internal sealed record PodRecord(string Namespace, string Name, string Service, string Node);

/// <summary>
/// Which pods the lab makes, and where. Every LoadBalancer Service with a selector gets one pod, one with the egress
/// label two (egress is about pods on the announcing node and on others). The nodes are taken in the Service's
/// election order (MetalLB's sha256("node#first address"), with every node alive): its first pod is on the node
/// that announces it, the second on the one that takes over when that node fails, so an egress test always has a
/// pod on the owner and one elsewhere, before and after a failover. A node holds at most
/// <see cref="PodNetwork.PodsPerNode"/> pods; a Service that finds no room keeps the lab's stand-in endpoints.
/// Deterministic and pure.
/// </summary>
internal static class PodPlacement
{
    public const int EgressPods = 2;

    public static ImmutableArray<PodRecord> Place(IEnumerable<ExampleService> services, IReadOnlyList<string> nodes)
    {
        var load = nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        var pods = ImmutableArray.CreateBuilder<PodRecord>();
        foreach (var service in services.Where(s => s.LoadBalancer && s.HasSelector))
        {
            var key = service.FirstAddress ?? service.ToString();
            var chosen = nodes
                .OrderBy(n => Convert.ToHexString(L2Election.Hash(n, key)), StringComparer.Ordinal)
                .Where(n => load[n] < PodNetwork.PodsPerNode)
                .Take(service.Egress ? EgressPods : 1)
                .ToList();
            for (var i = 0; i < chosen.Count; i++)
            {
                load[chosen[i]]++;
                pods.Add(new PodRecord(service.Namespace, $"{service.Name}-{i}", service.Name, chosen[i]));
            }
        }

        return pods.ToImmutable();
    }
}
