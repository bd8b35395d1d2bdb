using System.Collections.Immutable;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Announcement.ElectionFixtures;

namespace IronLb.Core.Tests.Announcement;

public sealed class L2ElectionTests
{
    private static readonly string[] Iris = ["iris1", "iris2"];

    // §4.2 vectors: sha256("<node>#<ip>") ascending; verified independently of MetalLB's tests.
    [Theory]
    [InlineData("10.20.30.1", new[] { "iris1", "iris2" }, new[] { "iris2", "iris1" })]
    [InlineData("10.20.30.2", new[] { "iris1", "iris2" }, new[] { "iris1", "iris2" })]
    [InlineData("10.0.0.1", new[] { "node-a", "node-b", "node-c" }, new[] { "node-b", "node-a", "node-c" })]
    [InlineData("10.0.0.2", new[] { "node-a", "node-b", "node-c" }, new[] { "node-b", "node-c", "node-a" })]
    public void Candidates_sort_by_hash_of_node_and_first_ip(string ip, string[] nodes, string[] expected)
    {
        var result = L2Election.Elect(Input(Service(ip), Pool(Ad()), ReadyOn(nodes), nodes));
        Assert.Equal(expected, result.Candidates);
        Assert.Equal(expected[0], result.Winner);
    }

    [Fact]
    public void Hash_matches_the_published_prefixes()
    {
        Assert.Equal("af6c", Convert.ToHexStringLower(L2Election.Hash("iris2", "10.20.30.1"))[..4]);
        Assert.Equal("e42a", Convert.ToHexStringLower(L2Election.Hash("iris1", "10.20.30.1"))[..4]);
    }

    public sealed record ElectionCase(
        string Desc,
        ServiceEndpointsSpec Endpoints,
        bool Local,
        L2Advertisement[] Ads,
        string? Iris1,
        string? Iris2,
        NodeResource[]? Nodes = null,
        bool IgnoreExclude = false,
        string Ip = "10.20.30.1")
    {
        public override string ToString() => Desc;
    }

    /// <summary>Endpoints as (node, ready, serving) triples; kept serialisable for the theory row.</summary>
    public sealed record ServiceEndpointsSpec(params (string Node, bool? Ready, bool? Serving)[] Items);

    private static readonly ImmutableDictionary<string, string> Excluded =
        ImmutableDictionary<string, string>.Empty.Add(L2Election.ExcludeFromLoadBalancersLabel, "");

    // Expected decisions per node; null means Announce. Cases 62-66 of spec §6.2.
    public static TheoryData<ElectionCase> Cases => new()
    {
        new ElectionCase("62 ETP Local, both endpoints on iris1", new(("iris1", true, null), ("iris1", true, null)), true, [Ad()], null, "notOwner"),
        new ElectionCase("62 no ready endpoint anywhere", new(("iris1", false, null), ("iris2", false, false)), true, [Ad()], "notOwner", "notOwner"),
        new ElectionCase("63 serving-but-not-ready counts; iris2 wins the hash", new(("iris1", true, null), ("iris2", false, true)), true, [Ad()], "notOwner", null),
        new ElectionCase("64 .2 goes to iris1", new(("iris1", true, null), ("iris2", true, null)), true, [Ad()], null, "notOwner", Ip: "10.20.30.2"),
        new ElectionCase("64 not-ready endpoint drops its node", new(("iris1", true, null), ("iris2", false, false)), true, [Ad()], null, "notOwner"),
        new ElectionCase("66 ad on iris1 only, Cluster", new(("iris1", true, null)), false, [Ad(["iris1"])], null, "noMatchingAdvertisement"),
        new ElectionCase("66 split ads, Local, endpoint on iris1", new(("iris1", true, null)), true, [Ad(["iris1"], name: "a"), Ad(["iris2"], name: "b")], null, "notOwner"),
        new ElectionCase("66 one ad, Cluster ignores endpoint location: hash winner iris2", new(("iris1", true, null)), false, [Ad()], "notOwner", null),
        new ElectionCase("66 ad on iris2, Local, endpoint on iris1: nobody", new(("iris1", true, null)), true, [Ad(["iris2"])], "noMatchingAdvertisement", "notOwner"),
        new ElectionCase("66 iris2 excluded by label", new(("iris1", true, null), ("iris2", true, null)), false, [Ad()], null, "notOwner",
            [new NodeResource("iris1", ImmutableDictionary<string, string>.Empty), new NodeResource("iris2", Excluded)]),
        new ElectionCase("66 iris1 excluded by label", new(("iris1", true, null), ("iris2", true, null)), false, [Ad()], "notOwner", null,
            [new NodeResource("iris1", Excluded), new NodeResource("iris2", ImmutableDictionary<string, string>.Empty)]),
        new ElectionCase("66 both excluded: nobody", new(("iris1", true, null), ("iris2", true, null)), false, [Ad()], "notOwner", "notOwner",
            [new NodeResource("iris1", Excluded), new NodeResource("iris2", Excluded)]),
        new ElectionCase("66 both excluded, --ignore-exclude-lb, Local on iris1", new(("iris1", true, null)), true, [Ad()], null, "notOwner",
            [new NodeResource("iris1", Excluded), new NodeResource("iris2", Excluded)], IgnoreExclude: true),
        new ElectionCase("NetworkUnavailable node never wins", new(("iris1", true, null), ("iris2", true, null)), false, [Ad()], null, "notOwner",
            [new NodeResource("iris1", ImmutableDictionary<string, string>.Empty), new NodeResource("iris2", ImmutableDictionary<string, string>.Empty, NetworkUnavailable: true)]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_node_decides_as_MetalLB(ElectionCase c)
    {
        var endpoints = Endpoints(c.Endpoints.Items);
        var input = Input(Service(c.Ip, c.Local), Pool(c.Ads), endpoints, Iris, c.Nodes, c.IgnoreExclude);
        Assert.Equal(c.Iris1 ?? "", L2Election.ShouldAnnounce("iris1", input).ToWire());
        Assert.Equal(c.Iris2 ?? "", L2Election.ShouldAnnounce("iris2", input).ToWire());
    }

    [Fact]
    public void Case67_every_address_has_exactly_one_announcer_and_sharing_services_agree()
    {
        var wins = new Dictionary<string, int> { ["iris1"] = 0, ["iris2"] = 0 };
        for (var last = 1; last <= 255; last++)
        {
            var ip = $"10.20.30.{last}";
            var first = Input(Service(ip, name: "a"), Pool(Ad()), ReadyOn(Iris), Iris);
            var second = Input(Service(ip, name: "b"), Pool(Ad()), ReadyOn(Iris), Iris);
            var winners = Iris.Where(n => L2Election.ShouldAnnounce(n, first) == AnnounceDecision.Announce).ToList();
            Assert.Single(winners);
            Assert.Equal(winners, Iris.Where(n => L2Election.ShouldAnnounce(n, second) == AnnounceDecision.Announce));
            wins[winners[0]]++;
        }

        Assert.All(wins.Values, count => Assert.True(count > 0));
    }

    [Fact]
    public void Case68_service_selectors_filter_advertisements_and_are_ORed()
    {
        var app = new Dictionary<string, string> { ["app"] = "foo" };
        var matching = Input(Service("10.20.30.1", labels: app), Pool(Ad(serviceSelectors: [Labels(("app", "bar")), Labels(("app", "foo"))])), ReadyOn(Iris), Iris);
        Assert.Equal(AnnounceDecision.Announce, L2Election.ShouldAnnounce("iris2", matching));

        var other = Input(Service("10.20.30.1", labels: app), Pool(Ad(serviceSelectors: [Labels(("app", "bar"))])), ReadyOn(Iris), Iris);
        Assert.Equal(AnnounceDecision.NoMatchingAdvertisement, L2Election.ShouldAnnounce("iris1", other));
        Assert.Equal(AnnounceDecision.NoMatchingAdvertisement, L2Election.ShouldAnnounce("iris2", other));
    }

    [Fact]
    public void Service_selectors_pick_the_candidate_nodes_per_service()
    {
        // TestL2ServiceSelectorFiltersCandidateNodes: A selects iris1 for svc-foo, B selects iris2 for svc-bar.
        var pool = Pool(
            Ad(["iris1"], serviceSelectors: [Labels(("app", "foo"))], name: "a"),
            Ad(["iris2"], serviceSelectors: [Labels(("app", "bar"))], name: "b"));
        var foo = Input(Service("10.20.30.1", labels: new Dictionary<string, string> { ["app"] = "foo" }), pool, ReadyOn(Iris), Iris);
        var bar = Input(Service("10.20.30.1", labels: new Dictionary<string, string> { ["app"] = "bar" }), pool, ReadyOn(Iris), Iris);
        Assert.Equal(AnnounceDecision.Announce, L2Election.ShouldAnnounce("iris1", foo));
        Assert.Equal(AnnounceDecision.NoMatchingAdvertisement, L2Election.ShouldAnnounce("iris2", foo));
        Assert.Equal(AnnounceDecision.NoMatchingAdvertisement, L2Election.ShouldAnnounce("iris1", bar));
        Assert.Equal(AnnounceDecision.Announce, L2Election.ShouldAnnounce("iris2", bar));
    }

    [Theory]
    [InlineData("metallb.io/allow-shared-ip", true, "sharedIPWithServiceSelector")]
    [InlineData("metallb.universe.tf/allow-shared-ip", true, "sharedIPWithServiceSelector")]
    [InlineData("metallb.io/allow-shared-ip", false, "")]
    [InlineData("other", true, "")]
    public void Case69_shared_ip_with_a_selector_advertisement_is_refused(string annotation, bool selectorAd, string expected)
    {
        var labels = new Dictionary<string, string> { ["app"] = "foo" };
        var ads = selectorAd ? new[] { Ad(serviceSelectors: [Labels(("app", "foo"))]), Ad(name: "plain", interfaces: ["eth0"]) } : [Ad()];
        var input = Input(Service("10.20.30.1", labels: labels, annotations: new Dictionary<string, string> { [annotation] = "key" }), Pool(ads), ReadyOn(Iris), Iris);
        Assert.Equal(expected, L2Election.ShouldAnnounce("iris2", input).ToWire());
    }

    public static TheoryData<string, L2Advertisement[], bool, string[]> InterfaceCases => new()
    {
        { "all interfaces", [Ad()], true, [] },
        { "one ad with interfaces", [Ad(interfaces: ["eno2"])], false, ["eno2"] },
        { "two ads: the union", [Ad(interfaces: ["eno2"], name: "a"), Ad(interfaces: ["eno3", "eno2"], name: "b")], false, ["eno2", "eno3"] },
        { "any all-interfaces ad wins", [Ad(interfaces: ["eno2"], name: "a"), Ad(name: "b")], true, [] },
        { "only ads that include the node count", [Ad(interfaces: ["eno1"], name: "a"), Ad(["other"], interfaces: ["ens18"], name: "b")], false, ["eno1"] },
    };

    [Theory]
    [MemberData(nameof(InterfaceCases))]
    public void Case71_interfaces_for_a_node(string desc, L2Advertisement[] ads, bool all, string[] interfaces)
    {
        var selection = L2Election.InterfacesFor("iris1", Pool(ads), Service("10.20.30.1"));
        Assert.True(all == selection.AllInterfaces, desc);
        Assert.Equal(interfaces, selection.Interfaces);
    }

    [Fact]
    public void Election_is_consistent_but_interfaces_are_per_node()
    {
        // TestL2ElectionConsistentButAdsPerNode: iris1 with eth0, iris2 with eth1; one winner, its own interface.
        var pool = Pool(Ad(["iris1"], ["eth0"], name: "a"), Ad(["iris2"], ["eth1"], name: "b"));
        var input = Input(Service("10.20.30.1"), pool, ReadyOn(Iris), Iris);
        var winners = Iris.Where(n => L2Election.ShouldAnnounce(n, input) == AnnounceDecision.Announce).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal(winner == "iris1" ? ["eth0"] : new[] { "eth1" }, L2Election.InterfacesFor(winner, pool, input.Service).Interfaces);
    }
}
