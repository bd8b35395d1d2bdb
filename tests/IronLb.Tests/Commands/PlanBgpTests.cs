using System.Text.Json;

namespace IronLb.Tests.Commands;

/// <summary>
/// `ironlb plan` over BGP manifests: the BGP table (each node's routes to each peer with LOCAL_PREF and communities,
/// or why not) and the JSON "bgp" member; a plan without BGPAdvertisements prints neither.
/// </summary>
public sealed class PlanBgpTests
{
    private const string Cluster = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: bgp, namespace: metallb-system}
        spec: {addresses: [198.51.100.0/28]}
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: tor, namespace: metallb-system}
        spec: {myASN: 64500, peerASN: 64500, peerAddress: 192.0.2.1}
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: frr-leftover, namespace: metallb-system}
        spec: {myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.2, vrf: red}
        ---
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata: {name: aliases, namespace: metallb-system}
        spec: {communities: [{name: no-advertise, value: "65535:65282"}]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: bgp, namespace: metallb-system}
        spec: {ipAddressPools: [bgp], localPref: 150, communities: [no-advertise], aggregationLength: 32}
        ---
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: Node, metadata: {name: n1}}
          - {apiVersion: v1, kind: Node, metadata: {name: n2, labels: {node.kubernetes.io/exclude-from-external-load-balancers: ""}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """;

    [Fact]
    public void The_table_shows_each_node_s_routes_or_reason_and_the_dropped_peer_warning()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);

        var result = CliRunner.Run("plan", dir.Root);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        var bgp = lines.IndexOf("BGP");
        Assert.True(bgp > 0, result.Output);
        Assert.Equal(
            [
                "SERVICE   NODE  PEER  PREFIX           LOCAL-PREF  COMMUNITIES  NOT ANNOUNCED",
                "shop/web  n1    tor   198.51.100.0/32  150         65535:65282",
                "shop/web  n2    -     -                -           -            nodeLabeledExcludeBalancers",
            ],
            lines.Skip(bgp + 1).Take(3).Select(l => l.Trim()));
        Assert.Contains("BGPPeer metallb-system/frr-leftover: IronLB's native BGP does not implement vrf (\"red\"); this peer opens no session", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_carries_the_bgp_decision_per_node()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);

        var result = CliRunner.Run("plan", "-o", "json", dir.Root);

        using var doc = JsonDocument.Parse(result.Output);
        var bgp = doc.RootElement.GetProperty("services")[0].GetProperty("bgp");
        Assert.True(bgp.GetProperty("announced").GetBoolean());
        var nodes = bgp.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["n1", "n2"], nodes.Select(n => n.GetProperty("node").GetString()));
        var route = Assert.Single(nodes[0].GetProperty("routes").EnumerateArray());
        Assert.Equal(("tor", "198.51.100.0/32", 150), (route.GetProperty("peer").GetString(), route.GetProperty("prefix").GetString(), route.GetProperty("localPref").GetInt32()));
        Assert.Equal(["65535:65282"], route.GetProperty("communities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal((false, "nodeLabeledExcludeBalancers"), (nodes[1].GetProperty("announced").GetBoolean(), nodes[1].GetProperty("reason").GetString()));
        Assert.Empty(nodes[1].GetProperty("routes").EnumerateArray());
    }

    [Fact]
    public void Without_bgp_advertisements_neither_the_table_nor_the_json_mentions_bgp()
    {
        using var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster.Replace("kind: BGPAdvertisement", "kind: L2Advertisement", StringComparison.Ordinal)
            .Replace("spec: {ipAddressPools: [bgp], localPref: 150, communities: [no-advertise], aggregationLength: 32}", "spec: {ipAddressPools: [bgp]}", StringComparison.Ordinal));

        var table = CliRunner.Run("plan", dir.Root).Output;
        var json = CliRunner.Run("plan", "-o", "json", dir.Root).Output;

        Assert.DoesNotContain("\nBGP\n", table.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.False(doc.RootElement.GetProperty("services")[0].TryGetProperty("bgp", out _));
    }
}
