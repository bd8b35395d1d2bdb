using System.Net;
using IronLb.Lab.Cluster;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Topology;

public sealed class LabPlanTests
{
    private static LabPlan Plan(string subnet = "203.0.113.0/26", int nodes = 4) =>
        LabPlan.Create(LabNames.Create("demo"), [.. Enumerable.Range(1, nodes).Select(k => $"cwn{k}")], IPNetwork.Parse(subnet));

    [Theory]
    [InlineData(1, "192.0.2.11/24", "2001:db8:3a::11/64", "198.51.100.11/24", "2001:db8:403::11/64", "203.0.113.11/26")]
    [InlineData(4, "192.0.2.14/24", "2001:db8:3a::14/64", "198.51.100.14/24", "2001:db8:403::14/64", "203.0.113.14/26")]
    public void Node_k_is_dot_1k_on_every_lan(int k, string eno2V4, string eno2V6, string eno3V4, string eno3V6, string mgmt)
    {
        var node = Plan().Nodes[k - 1];
        Assert.Equal($"cwn{k}", node.Name);
        Assert.Equal("ilab-demo-cwn" + k, node.Namespace);
        Assert.Equal([("eno2", "external"), ("eno3", "office"), ("mgmt0", "management")], node.Interfaces.Select(i => (i.Name, i.Lan)));
        Assert.Equal([eno2V4, eno2V6], node.Interfaces[0].Addresses);
        Assert.Equal([eno3V4, eno3V6], node.Interfaces[1].Addresses);
        Assert.Equal([mgmt, $"2001:db8:ffff::1{k}/64"], node.Interfaces[2].Addresses);
        Assert.Equal(IPAddress.Parse(mgmt[..mgmt.IndexOf('/', StringComparison.Ordinal)]), node.ManagementAddress);
    }

    [Fact]
    public void Clients_are_dot_1_on_their_lan()
    {
        var plan = Plan();
        Assert.Equal(
            [("external", "ilab-demo-externalclient", "ext0", "192.0.2.1/24,2001:db8:3a::1/64"), ("office", "ilab-demo-officeclient", "ofc0", "198.51.100.1/24,2001:db8:403::1/64")],
            plan.Clients.Select(c => (c.Lan, c.Namespace, c.Interface.Name, string.Join(',', c.Interface.Addresses))));
    }

    [Theory]
    [InlineData("203.0.113.0/26", "203.0.113.1", "203.0.113.12")]
    [InlineData("203.0.113.64/26", "203.0.113.65", "203.0.113.76")]
    [InlineData("203.0.113.192/27", "203.0.113.193", "203.0.113.204")]
    public void The_management_lan_is_the_labs_own_slice(string subnet, string host, string second)
    {
        var plan = Plan(subnet);
        Assert.Equal(IPAddress.Parse(host), plan.HostManagementAddress);
        Assert.Equal(IPAddress.Parse(second), plan.Nodes[1].ManagementAddress);
        Assert.Equal(new Uri($"http://{host}:6443"), plan.ApiServer);
        Assert.All(plan.Nodes, n => Assert.True(plan.ManagementSubnet.Contains(n.ManagementAddress)));
    }

    [Theory]
    [InlineData("192.0.2.0/26")]
    [InlineData("10.0.0.0/26")]
    [InlineData("203.0.113.0/28")]
    [InlineData("203.0.0.0/16")]
    [InlineData("2001:db8::/64")]
    public void Refuses_a_management_subnet_outside_203_0_113_0_24_or_too_small(string subnet)
    {
        Assert.NotNull(LabPlan.CheckManagementSubnet(IPNetwork.Parse(subnet)));
        Assert.Throws<ArgumentException>(() => Plan(subnet));
    }

    [Fact]
    public void The_default_slices_are_disjoint_quarters_of_203_0_113_0_24()
    {
        var slices = LabPlan.DefaultManagementSubnets;
        Assert.Equal(4, slices.Length);
        Assert.All(slices, s => Assert.Null(LabPlan.CheckManagementSubnet(s)));
        Assert.Equal(4, slices.Select(s => s.BaseAddress).Distinct().Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void Has_one_to_nine_nodes(int nodes) => Assert.Throws<ArgumentException>(() => Plan(nodes: nodes));

    [Theory]
    [InlineData("lan")]
    [InlineData("externalclient")]
    [InlineData("Cwn1")]
    [InlineData("a/b")]
    public void Refuses_node_names_that_would_collide_or_cannot_name_a_namespace(string node) =>
        Assert.Throws<ArgumentException>(() => LabPlan.Create(LabNames.Create("demo"), [node], LabPlan.DefaultManagementSubnets[0]));

    [Theory]
    [InlineData("192.0.2.192", "external")]
    [InlineData("2001:db8:3a::25", "external")]
    [InlineData("198.51.100.254", "office")]
    [InlineData("2001:db8:403::53", "office")]
    [InlineData("203.0.113.5", null)]
    public void Finds_the_client_on_an_addresses_lan(string address, string? lan) =>
        Assert.Equal(lan, Plan().ClientFor(IPAddress.Parse(address))?.Lan);

    [Fact]
    public void No_node_or_client_address_is_in_an_example_pool_range_or_named_by_an_example_service()
    {
        var plan = Plan(nodes: LabPlan.MaxNodes);
        var taken = plan.Nodes.SelectMany(n => n.Interfaces).Concat(plan.Clients.Select(c => c.Interface))
            .SelectMany(i => i.Addresses).Select(Cidr.Address).ToList();
        var manifests = Manifest.Load(RepoPaths.ExampleLab);

        // IPv4 pool ranges (the IPv6 pools are whole /64s with autoAssign off: only named addresses are used).
        var v4Ranges = manifests.Where(m => m.Kind == "IPAddressPool")
            .SelectMany(m => m.Yaml.Split('\n').Select(l => l.Trim().TrimStart('-').Trim()))
            .Where(l => l.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(l, out var n) && n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .Select(IPNetwork.Parse).ToList();
        Assert.NotEmpty(v4Ranges);
        var named = manifests.Where(m => m.Kind == "Service")
            .SelectMany(m => m.Yaml.Split('\n').Where(l => l.Contains("metallb.io/loadBalancerIPs", StringComparison.Ordinal)))
            .SelectMany(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',', StringSplitOptions.TrimEntries))
            .Select(IPAddress.Parse).ToList();
        Assert.NotEmpty(named);

        Assert.All(taken, a =>
        {
            Assert.DoesNotContain(v4Ranges, r => r.Contains(a));
            Assert.DoesNotContain(a, named);
        });
    }

    [Theory]
    [InlineData("cwn2", "ilab-demo-cwn2")]
    [InlineData("external", "ilab-demo-externalclient")]
    [InlineData("externalclient", "ilab-demo-externalclient")]
    [InlineData("office", "ilab-demo-officeclient")]
    [InlineData("mail/smtpout-0", "ilab-demo-pod_mail_smtpout-0")]
    [InlineData("smtpout-0", null)]
    [InlineData("cwn9", null)]
    [InlineData("lan", null)]
    public void Exec_finds_a_node_a_client_or_a_pod(string place, string? netns)
    {
        var plan = LabPlan.Create(LabNames.Create("demo"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[0], [new PodRecord("mail", "smtpout-0", "smtpout", "cwn1")]);
        Assert.Equal(netns, plan.NamespaceOf(place));
        Assert.Equal(["cwn1", "cwn2", "external", "office", "mail/smtpout-0"], plan.Places());
    }
}
