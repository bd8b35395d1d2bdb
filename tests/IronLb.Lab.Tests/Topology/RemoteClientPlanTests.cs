using System.Net;
using IronLb.Lab.Operations;
using IronLb.Lab.State;
using IronLb.Lab.Status;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Topology;

public sealed class RemoteClientPlanTests
{
    private static LabPlan Plan(bool router) =>
        LabPlan.Create(LabNames.Create("demo"), [.. Enumerable.Range(1, LabPlan.MaxNodes).Select(k => $"cwn{k}")], LabPlan.DefaultManagementSubnets[0], router: router);

    [Fact]
    public void Only_a_lab_with_the_router_has_a_client_behind_it()
    {
        var client = Plan(router: true).RemoteClient;
        Assert.NotNull(client);
        Assert.Equal(("ilab-demo-remoteclient", "ilab-demo-router"), (client.Namespace, client.RouterNamespace));
        Assert.Null(Plan(router: false).RemoteClient);
    }

    [Theory]
    [InlineData("remote", true, "ilab-demo-remoteclient")]
    [InlineData("remoteclient", true, "ilab-demo-remoteclient")]
    [InlineData("router", true, "ilab-demo-router")]
    [InlineData("remote", false, null)]
    [InlineData("router", false, null)]
    public void Exec_finds_the_router_and_its_client_only_when_the_lab_has_them(string place, bool router, string? netns)
    {
        var plan = Plan(router);
        Assert.Equal(netns, plan.NamespaceOf(place));
    }

    [Fact]
    public void Places_name_the_router_and_its_client_by_their_shortest_names()
    {
        Assert.Equal(["router", "remote"], Plan(router: true).Places().TakeLast(2));
        Assert.DoesNotContain(Plan(router: false).Places(), p => p is "router" or "remote");
    }

    [Fact]
    public void Remoteclient_cannot_name_a_node() =>
        Assert.Throws<ArgumentException>(() => LabPlan.Create(LabNames.Create("demo"), ["remoteclient"], LabPlan.DefaultManagementSubnets[0]));

    /// <summary>The client's /64 is a documentation prefix that no other network of the lab touches, so the nodes'
    /// route to it via the router is the only way there, and nothing else of the lab is behind the router.</summary>
    [Fact]
    public void Its_network_is_a_documentation_prefix_apart_from_every_lab_network()
    {
        var plan = Plan(router: true);
        Assert.True(IPNetwork.Parse("2001:db8::/32").Contains(RemoteClientPlan.Network.BaseAddress));
        Assert.Equal(64, RemoteClientPlan.Network.PrefixLength);
        IPNetwork[] lab =
        [
            .. plan.Nodes.SelectMany(n => n.Interfaces).Concat(plan.Clients.Select(c => c.Interface)).SelectMany(i => i.Addresses).Select(Cidr.Network),
            .. plan.Nodes.Select(n => n.PodRange.V6),
            PodNetwork.V6Pods,
            PodNetwork.ManagementV6,
            IPNetwork.Parse("2001:db8:ff::/48"), // the stand-in endpoints (ClusterClient)
        ];
        Assert.All(lab, n => Assert.False(n.Contains(RemoteClientPlan.Network.BaseAddress) || RemoteClientPlan.Network.Contains(n.BaseAddress), $"{n} overlaps"));
        Assert.True(RemoteClientPlan.Network.Contains(RemoteClientPlan.Address));
        Assert.True(RemoteClientPlan.Network.Contains(RemoteClientPlan.RouterAddress));
        Assert.NotEqual(RemoteClientPlan.Address, RemoteClientPlan.RouterAddress);
        Assert.Equal(["2001:db8:3b::1/64", "2001:db8:3b::254/64"], new[] { RemoteClientPlan.AddressCidr, RemoteClientPlan.RouterAddressCidr });
        Assert.All(new[] { RemoteClientPlan.Interface, RemoteClientPlan.RouterInterface }, i => Assert.InRange(i.Length, 1, LabNames.MaxInterfaceName));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Status_lists_the_client_behind_the_router_with_the_lan_clients(bool bgp)
    {
        var state = new LabState
        {
            Name = "demo",
            StateDirectory = "/run/ironlb-lab/demo",
            ManagementSubnet = "203.0.113.0/26",
            NodeNames = ["cwn1"],
            IronLb = ["/opt/ironlb"],
            Kubeconfig = "/run/ironlb-lab/demo/kubeconfig",
            ApiServer = "http://203.0.113.1:6443",
            MembershipKeyFile = "/run/ironlb-lab/demo/membership.key",
            Bgp = bgp,
        };
        var status = StatusReader.Build(LabSession.Begin(new StateStore(state.StateDirectory), state), []);
        string[] lanClients = ["external ilab-demo-externalclient ext0", "office ilab-demo-officeclient ofc0"];
        Assert.Equal(bgp ? [.. lanClients, "remote ilab-demo-remoteclient rmt0"] : lanClients, status.Clients.Select(c => $"{c.Lan} {c.Netns} {c.Interface}"));
    }
}
