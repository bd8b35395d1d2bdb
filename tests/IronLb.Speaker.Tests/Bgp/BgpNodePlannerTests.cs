using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Speaker.Bgp;

namespace IronLb.Speaker.Tests.Bgp;

/// <summary>
/// This node's BGP plan: which sessions it runs and what each carries, over a two-node cluster (n1 on rack 1, n2 on
/// rack 2) with an L2 pool and a BGP pool, peers tor (every node) and rack1 (rack 1 only). The decisions themselves are
/// Core's (BgpAnnouncementTests); these rows check what the speaker makes of them.
/// </summary>
public sealed class BgpNodePlannerTests
{
    private static readonly ServiceKey Web = new("apps", "web");
    private static readonly ServiceKey Api = new("apps", "api");
    private static readonly ServiceKey Office = new("apps", "office");

    [Fact]
    public void Without_BGPPeers_the_plan_is_empty_even_with_advertisements()
    {
        var plan = Plan(Config(peers: []), "n1", Service(Web, "198.51.100.5"));
        Assert.Same(BgpNodePlan.Empty, plan);
    }

    [Fact]
    public void A_node_runs_a_session_with_every_peer_whose_nodeSelectors_pick_it()
    {
        Assert.Equal(["rack1", "tor"], Plan(Config(), "n1").Peers.Select(p => p.Name));
        Assert.Equal(["tor"], Plan(Config(), "n2").Peers.Select(p => p.Name));
    }

    [Fact]
    public void A_Service_of_a_pool_without_BGPAdvertisement_gets_no_route_and_no_BGP_decision()
    {
        var plan = Plan(Config(), "n1", Service(Office, "203.0.113.7"));
        Assert.Empty(plan.Services);
        Assert.Empty(plan.Routes);
    }

    [Fact]
    public void Routes_of_all_Services_are_merged_per_peer_in_prefix_order()
    {
        var plan = Plan(Config(), "n1", Service(Web, "198.51.100.9"), Service(Api, "198.51.100.5"));
        Assert.Equal(
            ["198.51.100.5/32 to rack1", "198.51.100.9/32 to rack1", "198.51.100.5/32 to tor", "198.51.100.9/32 to tor"],
            plan.Routes.Select(r => r.ToString()));
        Assert.Equal(["198.51.100.5/32 to tor", "198.51.100.9/32 to tor"], plan.RoutesFor("tor").Select(r => r.ToString()));
        Assert.Equal(["rack1", "tor"], plan.PeersOf(Web));
    }

    [Fact]
    public void A_Service_this_node_does_not_announce_keeps_its_reason_and_sends_nothing()
    {
        var local = Service(Web, "198.51.100.5") with { ExternalTrafficPolicyLocal = true };
        var plan = BgpNodePlanner.Plan(Config(), [local], _ => new ServiceEndpoints([new EndpointView("n2", Ready: true)]), "n1");
        var decision = Assert.Single(plan.Services);
        Assert.Equal(BgpAnnounceDecision.NoLocalEndpoints, decision.Announcement.Decision);
        Assert.False(decision.Announces);
        Assert.Empty(plan.Routes);
        Assert.Empty(plan.PeersOf(Web));
    }

    [Fact]
    public void A_Service_without_an_address_is_not_a_BGP_Service_yet()
    {
        var plan = Plan(Config(), "n1", new ServiceView { Key = Web });
        Assert.Empty(plan.Services);
    }

    private static BgpNodePlan Plan(LoadBalancerConfig config, string node, params ServiceView[] services) =>
        BgpNodePlanner.Plan(config, services, _ => new ServiceEndpoints([new EndpointView("n1", Ready: true), new EndpointView("n2", Ready: true)]), node);

    private static ServiceView Service(ServiceKey key, string ip) => new() { Key = key, IngressIps = [ip] };

    private static LoadBalancerConfig Config(BgpPeerResource[]? peers = null)
    {
        var resources = new ClusterResources
        {
            ConfigNamespace = "metallb-system",
            Pools = [Pool("public", "198.51.100.0/24"), Pool("office", "203.0.113.0/24")],
            L2Advertisements = [new L2AdvertisementResource { Ref = Ref("L2Advertisement", "office-l2"), IpAddressPools = ["office"] }],
            BgpPeers = [.. peers ?? [Peer("tor", null, "192.0.2.1"), Peer("rack1", "rack=1", "192.0.2.2")]],
            BgpAdvertisements = [new BgpAdvertisementResource { Ref = Ref("BGPAdvertisement", "public-bgp"), IpAddressPools = ["public"] }],
            Nodes = [new NodeResource("n1", ImmutableDictionary<string, string>.Empty.Add("rack", "1")), new NodeResource("n2", ImmutableDictionary<string, string>.Empty.Add("rack", "2"))],
        };
        var parsed = ConfigParser.Parse(resources);
        return parsed.Config ?? throw new InvalidOperationException(string.Join("; ", parsed.Errors));
    }

    private static IpAddressPoolResource Pool(string name, string cidr) => new() { Ref = Ref("IPAddressPool", name), Addresses = [cidr], AutoAssign = false };

    private static BgpPeerResource Peer(string name, string? rackSelector, string address) => new()
    {
        Ref = Ref("BGPPeer", name),
        MyAsn = 64512,
        PeerAsn = 64513,
        PeerAddress = address,
        NodeSelectors = rackSelector is null ? [] : [new LabelSelectorSpec { MatchLabels = ImmutableDictionary<string, string>.Empty.Add("rack", rackSelector.Split('=')[1]) }],
    };

    private static ObjectRef Ref(string kind, string name) => new(kind, "metallb-system", name);
}
