using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IronLb.Core.Allocation;

namespace IronLb.Manifests.Tests;

/// <summary>The API server's family assignment for Services without clusterIPs, which Core's family logic then reads.</summary>
public sealed class ClusterFamiliesTests
{
    public sealed record FamilyCase(string Desc, string Cluster, string? Policy, string? Families, string? ClusterIps, string? Expected, string? Error = null)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<FamilyCase> Cases { get; } =
    [
        new FamilyCase("no policy on a dual cluster is single-stack primary", "IPv4,IPv6", null, null, null, "IPv4"),
        new FamilyCase("no policy on an IPv6-primary cluster", "IPv6,IPv4", null, null, null, "IPv6"),
        new FamilyCase("SingleStack takes ipFamilies[0]", "IPv4,IPv6", "SingleStack", "IPv6", null, "IPv6"),
        new FamilyCase("PreferDualStack takes both, primary first", "IPv4,IPv6", "PreferDualStack", null, null, "IPv4,IPv6"),
        new FamilyCase("PreferDualStack honours the requested order", "IPv4,IPv6", "PreferDualStack", "IPv6", null, "IPv6,IPv4"),
        new FamilyCase("PreferDualStack on a single-stack cluster stays single", "IPv4", "PreferDualStack", null, null, "IPv4"),
        new FamilyCase("RequireDualStack takes both", "IPv4,IPv6", "RequireDualStack", "IPv4,IPv6", null, "IPv4,IPv6"),
        new FamilyCase("RequireDualStack on a single-stack cluster is refused", "IPv4", "RequireDualStack", null, null, null, "RequireDualStack on a single-stack cluster"),
        new FamilyCase("a family the cluster lacks is refused", "IPv4", "SingleStack", "IPv6", null, null, "IPv6 is not configured"),
        new FamilyCase("SingleStack with two families is refused", "IPv4,IPv6", "SingleStack", "IPv4,IPv6", null, null, "SingleStack allows only one family"),
        new FamilyCase("given clusterIPs win over the policy", "IPv4,IPv6", "RequireDualStack", null, "10.0.0.1", "IPv4"),
        new FamilyCase("given dual clusterIPs win on a single-stack cluster", "IPv4", null, null, "fd00::1,10.0.0.1", "IPv6,IPv4"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Derives_families_as_the_api_server_does(FamilyCase c)
    {
        var spec = "type: LoadBalancer, ports: [{port: 80}]"
            + (c.Policy is null ? "" : $", ipFamilyPolicy: {c.Policy}")
            + (c.Families is null ? "" : $", ipFamilies: [{c.Families}]")
            + (c.ClusterIps is null ? "" : $", clusterIPs: [\"{c.ClusterIps.Replace(",", "\",\"", StringComparison.Ordinal)}\"]");
        var yaml = $"apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: shop}}\nspec: {{{spec}}}\n";
        var options = new ManifestReadOptions { ClusterFamilies = [.. c.Cluster.Split(',')] };

        var read = ManifestReader.ReadText("svc.yaml", yaml, options);

        if (c.Error is not null)
        {
            Assert.Empty(read.Services);
            Assert.Contains(c.Error, Assert.Single(read.Errors).Message, StringComparison.Ordinal);
            return;
        }

        Assert.Empty(read.Errors);
        var service = Assert.Single(read.Services);
        var families = service.ClusterIps.Select(ip => IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6");
        Assert.Equal(c.Expected, string.Join(',', families));
    }

    [Fact]
    public void Derived_cluster_ips_are_deterministic_and_inside_the_service_cidrs()
    {
        var a = ClusterIpDerivation.ClusterIp(new ServiceKey("mail", "smtpin"), "IPv4");
        var b = ClusterIpDerivation.ClusterIp(new ServiceKey("mail", "smtpin"), "IPv4");
        var v6 = ClusterIpDerivation.ClusterIp(new ServiceKey("mail", "smtpin"), "IPv6");

        Assert.Equal(a, b);
        Assert.StartsWith("10.96.", a, StringComparison.Ordinal);
        Assert.StartsWith("fd00:10:96::", v6, StringComparison.Ordinal);
        Assert.NotEqual(a, ClusterIpDerivation.ClusterIp(new ServiceKey("mail", "smtpout"), "IPv4"));
    }

    [Fact]
    public void Policy_and_families_are_filled_like_the_api_server()
    {
        var read = ManifestReader.ReadText("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, ports: [{port: 80}]}\n");

        var service = Assert.Single(read.Services);
        Assert.Equal(IpFamilyPolicy.PreferDualStack, service.IpFamilyPolicy);
        Assert.Equal(ImmutableArray.Create("IPv4", "IPv6"), service.IpFamilies);
    }
}
