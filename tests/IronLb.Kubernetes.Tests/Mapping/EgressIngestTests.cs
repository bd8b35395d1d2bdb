using IronLb.Kubernetes.Mapping;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Mapping;

/// <summary>What egress reads of the cluster comes through the one ingest: endpoint addresses, Node networks, ServiceCIDRs.</summary>
public sealed class EgressIngestTests
{
    [Fact]
    public void Endpoint_addresses_come_from_every_slice_of_the_service()
    {
        V1EndpointSlice Slice(string name, string type, params string[] addresses) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "mail", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "smtpout" } },
            AddressType = type,
            Endpoints = [new V1Endpoint { Addresses = [.. addresses], NodeName = "cwn1", Conditions = new V1EndpointConditions { Ready = false } }],
        };

        var endpoints = CoreMapping.ToEndpointsByService([Slice("smtpout-v4", "IPv4", "203.0.113.130"), Slice("smtpout-v6", "IPv6", "2001:db8:100:1::2", "")]);

        var all = endpoints[new Core.Allocation.ServiceKey("mail", "smtpout")].Endpoints;
        Assert.Equal(["203.0.113.130", "2001:db8:100:1::2"], all.SelectMany(e => e.Addresses));
        Assert.All(all, e => Assert.Equal("cwn1", e.NodeName));
    }

    public static TheoryData<string, V1Node, string[], string[]> Nodes => new()
    {
        // name, node, InternalIPs, pod ranges
        {
            "both families, in the Node's order; other address types left out",
            Node(["10.244.1.0/24", "fd00:10:244:1::/64"], null, ("ExternalIP", "192.0.2.50"), ("InternalIP", "203.0.113.11"), ("Hostname", "cwn1"), ("InternalIP", "2001:db8:ffff::11")),
            ["203.0.113.11", "2001:db8:ffff::11"], ["10.244.1.0/24", "fd00:10:244:1::/64"]
        },
        { "spec.podCIDR alone (clusters before dual-stack)", Node(null, "10.244.2.0/24", ("InternalIP", "203.0.113.12")), ["203.0.113.12"], ["10.244.2.0/24"] },
        { "nothing known", Node(null, null), [], [] },
    };

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Node_networks(string name, V1Node node, string[] internalIps, string[] podCidrs)
    {
        var network = CoreMapping.ToNetwork(node);
        Assert.True(internalIps.SequenceEqual(network.InternalIps), name);
        Assert.True(podCidrs.SequenceEqual(network.PodCidrs), name);
    }

    [Fact]
    public void Service_ranges_from_every_servicecidr_once_and_sorted()
    {
        var input = ClusterIngest.Input("metallb-system", [], [], serviceCidrs:
        [
            new V1ServiceCIDR { Metadata = new V1ObjectMeta { Name = "kubernetes" }, Spec = new V1ServiceCIDRSpec { Cidrs = ["10.96.0.0/12", "fd00:10:96::/108"] } },
            new V1ServiceCIDR { Metadata = new V1ObjectMeta { Name = "extra" }, Spec = new V1ServiceCIDRSpec { Cidrs = ["10.96.0.0/12", "10.112.0.0/16"] } },
        ]);
        Assert.Equal(["10.112.0.0/16", "10.96.0.0/12", "fd00:10:96::/108"], input.ServiceCidrs);
    }

    private static V1Node Node(string[]? podCidrs, string? podCidr, params (string Type, string Address)[] addresses) => new()
    {
        Metadata = new V1ObjectMeta { Name = "cwn1" },
        Spec = new V1NodeSpec { PodCIDRs = podCidrs, PodCIDR = podCidr },
        Status = new V1NodeStatus { Addresses = [.. addresses.Select(a => new V1NodeAddress { Type = a.Type, Address = a.Address })] },
    };
}
