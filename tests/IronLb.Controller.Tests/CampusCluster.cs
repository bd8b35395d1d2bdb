using IronLb.Manifests;
using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>
/// Puts examples/campus into KubeSim the way the campus cluster has it: kubectl applies the plain objects,
/// and for each Gateway we do what Istio does — create the LoadBalancer Service "&lt;gateway&gt;-&lt;class&gt;"
/// with the Gateway's annotations and listener ports. Flux's HelmRelease (MetalLB itself) is left out.
/// </summary>
internal static class CampusCluster
{
    public static async Task ApplyAsync(ControllerHarness harness, string example = "campus")
    {
        var root = Path.Combine(ControllerHarness.RepoRoot, "examples", example);
        var files = Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var plain = files.Where(f => !IsKind(f, "Gateway") && !IsKind(f, "HelmRelease")).ToList();
        await harness.KubectlAsync(["apply", .. plain.SelectMany(f => new[] { "-f", f })]);

        foreach (var gateway in files.Where(f => IsKind(f, "Gateway")))
        {
            var read = ManifestReader.Read([gateway]);
            foreach (var view in read.Services)
            {
                await harness.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = view.Key.Name,
                        NamespaceProperty = view.Key.Namespace,
                        Annotations = view.Annotations.ToDictionary(),
                        Labels = view.Labels.ToDictionary(),
                    },
                    Spec = new V1ServiceSpec
                    {
                        Type = "LoadBalancer",
                        IpFamilyPolicy = "PreferDualStack",
                        IpFamilies = ["IPv4", "IPv6"],
                        Ports = [.. view.Ports.Select(p => new V1ServicePort { Port = p.Port, Protocol = p.Protocol, Name = $"{p.Protocol.ToLowerInvariant()}-{p.Port}" })],
                        Selector = view.Selector.ToDictionary(),
                    },
                }, view.Key.Namespace);
            }
        }
    }

    private static bool IsKind(string file, string kind) =>
        File.ReadLines(file).Any(line => line.Trim() == $"kind: {kind}");
}
