using System.Net;
using IronLb.Lab.Cluster;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Topology;

/// <summary>The pod address plan: pure numbers, as table rows.</summary>
public sealed class PodNetworkTests
{
    [Theory]
    [InlineData("203.0.113.0/26", 1, "203.0.113.128/29", "203.0.113.129", "203.0.113.130", "2001:db8:1ab:1::/64", "2001:db8:1ab:1::1", "2001:db8:1ab:1::2")]
    [InlineData("203.0.113.0/26", 4, "203.0.113.152/29", "203.0.113.153", "203.0.113.154", "2001:db8:1ab:4::/64", "2001:db8:1ab:4::1", "2001:db8:1ab:4::2")]
    [InlineData("203.0.113.64/26", 9, "203.0.113.192/29", "203.0.113.193", "203.0.113.194", "2001:db8:1ab:9::/64", "2001:db8:1ab:9::1", "2001:db8:1ab:9::2")]
    [InlineData("203.0.113.128/26", 1, "203.0.113.0/29", "203.0.113.1", "203.0.113.2", "2001:db8:1ab:1::/64", "2001:db8:1ab:1::1", "2001:db8:1ab:1::2")]
    [InlineData("203.0.113.192/27", 2, "203.0.113.8/29", "203.0.113.9", "203.0.113.10", "2001:db8:1ab:2::/64", "2001:db8:1ab:2::1", "2001:db8:1ab:2::2")]
    [InlineData("203.0.113.0/25", 3, "203.0.113.144/29", "203.0.113.145", "203.0.113.146", "2001:db8:1ab:3::/64", "2001:db8:1ab:3::1", "2001:db8:1ab:3::2")]
    [InlineData("203.0.113.128/25", 3, "203.0.113.16/29", "203.0.113.17", "203.0.113.18", "2001:db8:1ab:3::/64", "2001:db8:1ab:3::1", "2001:db8:1ab:3::2")]
    public void Node_k_gets_a_29_in_the_other_half_and_a_64(string management, int k, string v4, string gatewayV4, string firstV4, string v6, string gatewayV6, string firstV6)
    {
        var range = PodNetwork.RangeOf(IPNetwork.Parse(management), k);
        Assert.Equal((v4, gatewayV4, v6, gatewayV6), (range.V4.ToString(), range.GatewayV4.ToString(), range.V6.ToString(), range.GatewayV6.ToString()));
        Assert.Equal((IPAddress.Parse(firstV4), IPAddress.Parse(firstV6)), range.Pod(0));
        Assert.False(IPNetwork.Parse(management).Contains(range.V4.BaseAddress), "a pod range inside the management slice, which the host routes");
    }

    [Theory]
    [InlineData("203.0.113.0/24", false)]
    [InlineData("203.0.113.0/25", true)]
    [InlineData("203.0.113.64/26", true)]
    [InlineData("203.0.113.224/27", true)]
    public void Only_a_management_slice_smaller_than_24_leaves_room_for_pods(string management, bool room)
    {
        Assert.Equal(room, PodNetwork.CheckRoom(IPNetwork.Parse(management)) is null);
        Assert.Equal(room, LabPlan.CheckManagementSubnet(IPNetwork.Parse(management)) is null);
        if (!room)
        {
            Assert.Contains("leaves no room for the pods", LabPlan.CheckManagementSubnet(IPNetwork.Parse(management)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nine_nodes_get_disjoint_ranges_and_the_fifth_pod_is_the_last_that_fits()
    {
        var subnet = IPNetwork.Parse("203.0.113.0/26");
        var ranges = Enumerable.Range(1, LabPlan.MaxNodes).Select(k => PodNetwork.RangeOf(subnet, k)).ToList();
        Assert.Equal(LabPlan.MaxNodes, ranges.Select(r => r.V4.BaseAddress).Distinct().Count());
        Assert.All(ranges, r => Assert.True(PodNetwork.V4Pods(subnet)!.Value.Contains(r.V4.BaseAddress)));
        Assert.All(ranges, r => Assert.True(PodNetwork.V6Pods.Contains(r.V6.BaseAddress)));
        var last = ranges[0].Pod(PodNetwork.PodsPerNode - 1).V4;
        Assert.Equal(IPAddress.Parse("203.0.113.134"), last); // .135 is the /29's broadcast address
    }

    [Theory]
    [InlineData(1, "2001:db8:ffff::11")]
    [InlineData(9, "2001:db8:ffff::19")]
    public void Nodes_are_dot_1k_on_the_management_lan_in_ipv6_too(int k, string address) =>
        Assert.Equal(IPAddress.Parse(address), PodNetwork.ManagementV6Address(k));

    [Fact]
    public void The_plan_gives_each_pod_a_namespace_a_veth_and_its_nodes_next_addresses()
    {
        PodRecord[] pods = [new("mail", "smtpout-0", "smtpout", "cwn2"), new("dns", "dns-0", "dns", "cwn1"), new("mail", "smtpout-1", "smtpout", "cwn2")];
        var plan = LabPlan.Create(LabNames.Create("demo"), ["cwn1", "cwn2"], IPNetwork.Parse("203.0.113.64/26"), pods);
        Assert.Equal(
        [
            ("ilab-demo-pod_mail_smtpout-0", "ilab-demo-cwn2", "eth0", "vethpod0", "203.0.113.138/29,2001:db8:1ab:2::2/64"),
            ("ilab-demo-pod_dns_dns-0", "ilab-demo-cwn1", "eth0", "vethpod1", "203.0.113.130/29,2001:db8:1ab:1::2/64"),
            ("ilab-demo-pod_mail_smtpout-1", "ilab-demo-cwn2", "eth0", "vethpod2", "203.0.113.139/29,2001:db8:1ab:2::3/64"),
        ],
            plan.Pods.Select(p => (p.Netns, p.NodeNamespace, p.Interface, p.NodeInterface, string.Join(',', p.Addresses))));
        Assert.Equal(plan.Pods.Select(p => p.Netns), plan.Namespaces().TakeLast(3));
        Assert.Equal(["203.0.113.75/26", "2001:db8:ffff::11/64"], plan.Nodes[0].Interfaces.Single(i => i.Name == "mgmt0").Addresses);
    }

    [Theory]
    [InlineData("cwn3", "is on cwn3, which is not a node")]
    [InlineData("cwn1", "has room for 5 pods, not 6")]
    public void The_plan_refuses_pods_it_cannot_place(string node, string message)
    {
        var pods = Enumerable.Range(0, node == "cwn1" ? 6 : 1).Select(i => new PodRecord("a", $"p-{i}", "p", node)).ToList();
        var e = Assert.Throws<ArgumentException>(() => LabPlan.Create(LabNames.Create("demo"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[0], pods));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_node_table_drops_what_goes_to_the_host_and_forwards_pod_traffic_only()
    {
        var plan = LabPlan.Create(LabNames.Create("demo"), ["cwn1"], IPNetwork.Parse("203.0.113.64/26"));
        var script = PodNetworkBuilder.TableScript(plan);
        Assert.Contains("table inet ironlab {", script, StringComparison.Ordinal);
        Assert.DoesNotContain("inet ironlb ", script, StringComparison.Ordinal);
        var rules = script.Split('\n').Select(l => l.Trim()).SkipWhile(l => !l.StartsWith("type filter hook forward", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l != "}").ToList();
        Assert.Equal(
        [
            "ip daddr 203.0.113.65 counter name \"tohost\" drop",
            "ip saddr 203.0.113.128/25 accept",
            "ip daddr 203.0.113.128/25 accept",
            "ip6 saddr 2001:db8:1ab::/48 accept",
            "ip6 daddr 2001:db8:1ab::/48 accept",
            "counter name \"notpod\" drop",
        ], rules);
    }
}
