using System.Text.Json;

namespace IronLb.Tests.Commands;

public sealed class PlanCommandTests
{
    private const string Cluster = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: wide, namespace: metallb-system}
        spec: {addresses: [198.51.100.0/24, "2001:db8::/32"]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: all, namespace: metallb-system}
        ---
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: Node, metadata: {name: n1}}
          - {apiVersion: v1, kind: Node, metadata: {name: n2}}
          - {apiVersion: v1, kind: Node, metadata: {name: n3}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, ports: [{port: 80}]}
        """;

    [Fact]
    public void Counts_far_above_2_to_the_64_are_exact_json_integers()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);

        var result = CliRunner.Run("plan", "-o", "json", dir.Root);

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        var v6 = doc.RootElement.GetProperty("pools")[0].GetProperty("ipv6");
        Assert.Equal("79228162514264337593543950336", v6.GetProperty("total").GetRawText());
        Assert.Equal("79228162514264337593543950335", v6.GetProperty("available").GetRawText());
        Assert.Contains("79228162514264337593543950336", CliRunner.Run("plan", dir.Root).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_assigned_dual_stack_service_gets_both_families_and_all_interfaces_is_an_empty_list()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);

        var result = CliRunner.Run("plan", "-o", "json", dir.Root);

        using var doc = JsonDocument.Parse(result.Output);
        var web = doc.RootElement.GetProperty("services")[0];
        Assert.Equal(["198.51.100.0", "2001:db8::"], web.GetProperty("ips").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("wide", web.GetProperty("pool").GetString());
        Assert.Empty(web.GetProperty("announce").GetProperty("interfaces").EnumerateArray());
        Assert.Contains("(all)", CliRunner.Run("plan", dir.Root).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_stack_cluster_families_give_one_address()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);

        var result = CliRunner.Run("plan", "-o", "json", "--cluster-families", "ipv6", dir.Root);

        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal(["2001:db8::"], doc.RootElement.GetProperty("services")[0].GetProperty("ips").EnumerateArray().Select(i => i.GetString()));
    }

    [Theory]
    [InlineData("n2", "n2")]
    [InlineData("n3", "n3")]
    public void Endpoint_slices_decide_which_nodes_may_announce(string endpointNode, string expected)
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster.Replace("{port: 80}]}", "{port: 80}], externalTrafficPolicy: Local}", StringComparison.Ordinal));
        dir.Write("slice.json", $$$"""
            {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
             "metadata": {"name": "web-1", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web"}},
             "endpoints": [{"addresses": ["10.244.0.9"], "nodeName": "{{{endpointNode}}}", "conditions": {"ready": true}}]}
            """);

        var result = CliRunner.Run("plan", "-o", "json", dir.Root);

        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal(expected, doc.RootElement.GetProperty("services")[0].GetProperty("announce").GetProperty("node").GetString());
    }

    [Fact]
    public void Nobody_announces_without_a_ready_endpoint()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);
        dir.Write("slice.yaml", """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints:
              - {addresses: [10.244.0.9], nodeName: n1, conditions: {ready: false, serving: false}}
            """);

        var result = CliRunner.Run("plan", "-o", "json", dir.Root);

        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("services")[0].GetProperty("announce").ValueKind);
    }

    [Fact]
    public void Ignored_kinds_are_counted_in_the_summary()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);
        dir.Write("apps.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n");

        var result = CliRunner.Run("plan", dir.Root);

        Assert.Contains("ignored 2 objects of other kinds: ConfigMap 1, Deployment.apps 1", result.Output, StringComparison.Ordinal);
    }
}
