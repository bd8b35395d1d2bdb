namespace IronLb.Lab.Cluster;

/// <summary>
/// The example's manifests arranged for the lab: the first N of its Nodes (more named cwnK when it has fewer),
/// Namespaces before what lives in them, and no Node the lab does not run.
/// </summary>
internal sealed record ExampleCluster(IReadOnlyList<string> NodeNames, IReadOnlyList<Manifest> Manifests)
{
    public static ExampleCluster Arrange(IReadOnlyList<Manifest> example, int nodeCount)
    {
        var declared = example.Where(IsNode).Select(m => m.Name).Distinct(StringComparer.Ordinal).ToList();
        var names = declared.Take(nodeCount).ToList();
        for (var k = 1; names.Count < nodeCount; k++)
        {
            if (!declared.Contains($"cwn{k}") && !names.Contains($"cwn{k}"))
            {
                names.Add($"cwn{k}");
            }
        }

        var manifests = example.Where(m => !IsNode(m) || names.Contains(m.Name))
            .OrderBy(m => m.Kind == "Namespace" ? 0 : 1)
            .ToList();
        foreach (var extra in names.Where(n => !declared.Contains(n)))
        {
            manifests.Add(new Manifest("(ironlb-lab)", "v1", "Node", extra, null, $$"""
                apiVersion: v1
                kind: Node
                metadata:
                  name: {{extra}}
                  labels:
                    kubernetes.io/hostname: {{extra}}
                    kubernetes.io/os: linux

                """));
        }

        return new ExampleCluster(names, manifests);
    }

    private static bool IsNode(Manifest m) => m.Kind == "Node" && m.ApiVersion == "v1";
}
