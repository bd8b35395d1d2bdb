using System.Text;

namespace IronLb.Manifests.Tests;

/// <summary>
/// Golden files: everything the reader produces for the campus example, as text. A change in how any
/// field is read shows up as a readable diff. Regenerate with IRONLB_UPDATE_GOLDEN=1 after checking it.
/// </summary>
public sealed class GoldenTests
{
    [Fact]
    public void Campus_example_reads_as_the_golden_file_says()
    {
        var read = ManifestReader.Read([RepoPaths.Campus]);
        var actual = Dump(read).Replace(RepoPaths.Campus + "/", "", StringComparison.Ordinal);
        var golden = Path.Combine(RepoPaths.Root, "tests", "IronLb.Manifests.Tests", "Golden", "campus.txt");

        if (Environment.GetEnvironmentVariable("IRONLB_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, actual);
        }

        Assert.Equal(File.ReadAllText(golden), actual);
    }

    private static string Dump(ManifestReadResult read)
    {
        var text = new StringBuilder();
        foreach (var pool in read.Resources.Pools)
        {
            text.AppendLine($"pool {pool.Ref} @ {pool.Ref.Source}");
            text.AppendLine($"  autoAssign={pool.AutoAssign?.ToString() ?? "unset"} avoidBuggyIPs={pool.AvoidBuggyIps} addresses={string.Join(' ', pool.Addresses)}");
        }

        foreach (var ad in read.Resources.L2Advertisements)
        {
            text.AppendLine($"l2 {ad.Ref} @ {ad.Ref.Source}");
            text.AppendLine($"  pools={string.Join(',', ad.IpAddressPools)} interfaces={string.Join(',', ad.Interfaces)} nodeSelectors={ad.NodeSelectors.Length}");
        }

        foreach (var node in read.Resources.Nodes)
        {
            text.AppendLine($"node {node.Name} labels={Map(node.Labels)} networkUnavailable={node.NetworkUnavailable}");
        }

        foreach (var ns in read.Resources.Namespaces)
        {
            text.AppendLine($"namespace {ns.Name} labels={Map(ns.Labels)}");
        }

        foreach (var service in read.Services.OrderBy(s => s.Key, Core.Allocation.ServiceKey.Ordinal))
        {
            text.AppendLine($"service {service.Key} @ {read.ServiceSources[service.Key]}");
            text.AppendLine($"  type={service.Type} policy={service.IpFamilyPolicy} families={string.Join(',', service.IpFamilies)} clusterIPs={string.Join(',', service.ClusterIps)}");
            text.AppendLine($"  ports={string.Join(',', service.Ports)} etpLocal={service.ExternalTrafficPolicyLocal} selector={Map(service.Selector)}");
            text.AppendLine($"  labels={Map(service.Labels)}");
            text.AppendLine($"  annotations={Map(service.Annotations)}");
        }

        text.AppendLine($"ignored {string.Join(", ", read.IgnoredKinds.Select(k => $"{k.Key}={k.Value}"))}");
        text.AppendLine($"files={read.FileCount} objects={read.ObjectCount} errors={read.Errors.Length} fatal={read.FatalErrors.Length}");
        return text.ToString();
    }

    private static string Map(IEnumerable<KeyValuePair<string, string>> map) =>
        "{" + string.Join(", ", map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}")) + "}";
}
