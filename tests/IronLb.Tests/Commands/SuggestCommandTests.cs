using System.Net;
using System.Numerics;
using System.Text.Json;

namespace IronLb.Tests.Commands;

public sealed class SuggestCommandTests
{
    private static readonly IPAddress ExternalV6Prefix = IPAddress.Parse("2001:638:807:3a::");

    [Fact]
    public void Suggests_the_lowest_free_ipv4_and_a_fresh_ipv6_for_the_external_pool()
    {
        var result = CliRunner.Run("suggest", "--pool", "external", RepoPaths.Campus);

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // .180 is free too, but it is the network address of 141.89.58.180/30 as written.
        Assert.StartsWith("metallb.io/loadBalancerIPs: 141.89.58.181,", line, StringComparison.Ordinal);
        var v6 = IPAddress.Parse(line.Split(',')[1]);
        Assert.True(InPrefix(v6, ExternalV6Prefix, 64), $"{v6} is outside 2001:638:807:3a::/64");
        Assert.NotEqual(ExternalV6Prefix, v6);
        var campusText = string.Join('\n', Directory.EnumerateFiles(RepoPaths.Campus, "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.DoesNotContain(v6.ToString(), campusText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ipv6_suggestion_is_random_and_the_ipv4_one_is_not()
    {
        var a = CliRunner.Run(new Random(1), "suggest", "--pool", "external", RepoPaths.Campus).Output;
        var b = CliRunner.Run(new Random(2), "suggest", "--pool", "external", RepoPaths.Campus).Output;

        Assert.Equal(a.Split(',')[0], b.Split(',')[0]);
        Assert.NotEqual(a.Split(',')[1], b.Split(',')[1]);
    }

    [Fact]
    public void Json_output_has_pool_ips_and_annotation()
    {
        var result = CliRunner.Run("suggest", "--pool", "office", "--output", "json", RepoPaths.Campus);

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal(["pool", "ips", "annotation"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("office", doc.RootElement.GetProperty("pool").GetString());
        var ips = doc.RootElement.GetProperty("ips").EnumerateArray().Select(i => i.GetString()!).ToList();
        Assert.Equal(2, ips.Count);
        Assert.Equal($"metallb.io/loadBalancerIPs: {ips[0]},{ips[1]}", doc.RootElement.GetProperty("annotation").GetString());
    }

    [Theory]
    [InlineData("ipv4", "141.89.58.181")]
    [InlineData("ipv6", "2001:638:807:3a:")]
    public void Family_option_suggests_one_family(string family, string prefix)
    {
        var result = CliRunner.Run("suggest", "--pool", "external", "--family", family, RepoPaths.Campus);

        Assert.Equal(0, result.ExitCode);
        var value = result.Output.Trim()["metallb.io/loadBalancerIPs: ".Length..];
        Assert.DoesNotContain(",", value, StringComparison.Ordinal);
        Assert.StartsWith(prefix, value, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_pool_exits_1_and_lists_the_pools_that_exist()
    {
        var result = CliRunner.Run("suggest", "--pool", "nope", RepoPaths.Campus);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Equal("ironlb: unknown pool \"nope\"; the pools are external and office\n", result.Error);
    }

    [Fact]
    public void The_office_pool_does_not_get_its_network_address()
    {
        var result = CliRunner.Run("suggest", "--pool", "office", "--family", "ipv4", RepoPaths.Campus);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("metallb.io/loadBalancerIPs: 10.1.0.1\n", result.Output);
    }

    [Fact]
    public void Full_pool_exits_1_with_a_message()
    {
        using var dir = new TempManifests();
        dir.Write("pool.yaml", """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: tiny, namespace: metallb-system}
            spec: {autoAssign: false, addresses: [192.0.2.1/32]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: taken, annotations: {metallb.io/loadBalancerIPs: 192.0.2.1}}
            spec: {type: LoadBalancer, ports: [{port: 80}]}
            """);

        var result = CliRunner.Run("suggest", "--pool", "tiny", dir.Root);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("tiny", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_exits_2()
    {
        using var dir = new TempManifests();
        dir.Write("bad.yaml", "kind: [\n");

        var result = CliRunner.Run("suggest", "--pool", "external", dir.Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad.yaml:", result.Error, StringComparison.Ordinal);
    }

    private static bool InPrefix(IPAddress address, IPAddress prefix, int length)
    {
        var a = new BigInteger(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
        var p = new BigInteger(prefix.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
        return a >> (128 - length) == p >> (128 - length);
    }
}
