using System.Collections.Immutable;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>serviceAllocation resolution (spec §3.7) and L2Advertisement attachment to pools (spec §1.3).</summary>
public sealed class ResolutionTests
{
    private static LoadBalancerConfig Valid(ClusterResources resources)
    {
        var result = ConfigParser.Parse(resources);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!;
    }

    private static readonly NamespaceResource[] Namespaces =
    [
        new("ns-a", Labels("team=a")),
        new("ns-b", Labels("team=b")),
        new("ns-plain", ImmutableDictionary<string, string>.Empty),
    ];

    [Fact]
    public void Namespaces_are_the_union_of_the_list_and_the_selected_namespaces()
    {
        var config = Valid(Cluster(Pool("p", "1.2.3.0/24") with
        {
            ServiceAllocation = Alloc(priority: 3, namespaces: ["listed"], namespaceSelectors: [Match("team=a"), Expr("team", "In", "b", "c")]),
        }).WithNamespaces(Namespaces));

        var allocation = config.ByName["p"].Allocation!;
        Assert.Equal(["listed", "ns-a", "ns-b"], allocation.Namespaces);
        Assert.Equal(3, allocation.Priority);
        Assert.Empty(allocation.ServiceSelectors);
        Assert.True(allocation.IsCompatible("ns-a", ImmutableDictionary<string, string>.Empty));
        Assert.True(allocation.IsCompatible("listed", ImmutableDictionary<string, string>.Empty));
        Assert.False(allocation.IsCompatible("ns-plain", ImmutableDictionary<string, string>.Empty));
    }

    [Fact]
    public void Namespace_label_changes_change_the_resolution()
    {
        var pool = Pool("p", "1.2.3.0/24") with { ServiceAllocation = Alloc(namespaceSelectors: [Match("team=a")]) };
        var before = Valid(Cluster(pool).WithNamespaces(Namespaces));
        var after = Valid(Cluster(pool).WithNamespaces(new NamespaceResource("ns-plain", Labels("team=a"))));
        Assert.Equal(["ns-a"], before.ByName["p"].Allocation!.Namespaces);
        Assert.Equal(["ns-plain"], after.ByName["p"].Allocation!.Namespaces);
        Assert.False(before.AllocatesLike(after));
    }

    [Fact]
    public void Only_a_priority_matches_every_service()
    {
        // MetalLB 0.15.0, issue 2656: with no namespaces and no selectors the service selectors default to "everything".
        var config = Valid(Cluster(Pool("p", "1.2.3.0/24") with { ServiceAllocation = Alloc(priority: 5) }));
        var allocation = config.ByName["p"].Allocation!;
        Assert.Empty(allocation.Namespaces);
        Assert.Equal(LabelSelector.Everything, Assert.Single(allocation.ServiceSelectors));
        Assert.True(config.ByName["p"].IsCompatible("any", Labels("x=y")));
        Assert.True(config.ByName["p"].IsCompatible("other", ImmutableDictionary<string, string>.Empty));
    }

    [Fact]
    public void Namespace_selectors_matching_nothing_leave_the_pool_unrestricted()
    {
        // §3.7 quirk: no namespace matched, no namespaces, no service selectors: no restriction at all (and, as the
        // allocator tests show, never auto-assigned because it is in neither index).
        var config = Valid(Cluster(Pool("p", "1.2.3.0/24") with { ServiceAllocation = Alloc(namespaceSelectors: [Match("team=nobody")]) })
            .WithNamespaces(Namespaces));
        var allocation = config.ByName["p"].Allocation!;
        Assert.Empty(allocation.Namespaces);
        Assert.Empty(allocation.ServiceSelectors);
        Assert.True(config.ByName["p"].IsCompatible("ns-a", Labels("anything=at-all")));
    }

    public sealed record CompatibilityCase(string Desc, ServiceAllocationSpec? Spec, string Namespace, string[] Labels, bool Compatible)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<CompatibilityCase> CompatibilityCases =>
    [
        new CompatibilityCase("no serviceAllocation is compatible with everything", null, "x", [], true),
        new CompatibilityCase("namespace listed", Alloc(namespaces: ["ns1"]), "ns1", [], true),
        new CompatibilityCase("namespace not listed", Alloc(namespaces: ["ns1"]), "ns2", [], false),
        new CompatibilityCase("selector matches", Alloc(serviceSelectors: [Match("team=metallb")]), "x", ["team=metallb"], true),
        new CompatibilityCase("selector does not match", Alloc(serviceSelectors: [Match("team=metallb")]), "x", ["team=other"], false),
        new CompatibilityCase("selectors are ORed", Alloc(serviceSelectors: [Match("team=a"), Match("team=b")]), "x", ["team=b"], true),
        new CompatibilityCase("namespace and selector are ANDed: both", Alloc(namespaces: ["ns1"], serviceSelectors: [Match("team=a")]), "ns1", ["team=a"], true),
        new CompatibilityCase("namespace and selector are ANDed: wrong label", Alloc(namespaces: ["ns1"], serviceSelectors: [Match("team=a")]), "ns1", ["team=b"], false),
        new CompatibilityCase("namespace and selector are ANDed: wrong namespace", Alloc(namespaces: ["ns1"], serviceSelectors: [Match("team=a")]), "ns2", ["team=a"], false),
        new CompatibilityCase("NotIn matches a missing label", Alloc(serviceSelectors: [Expr("team", "NotIn", "a")]), "x", [], true),
        new CompatibilityCase("NotIn rejects the value", Alloc(serviceSelectors: [Expr("team", "NotIn", "a")]), "x", ["team=a"], false),
        new CompatibilityCase("Exists", Alloc(serviceSelectors: [Expr("team", "Exists")]), "x", ["team=z"], true),
        new CompatibilityCase("DoesNotExist", Alloc(serviceSelectors: [Expr("team", "DoesNotExist")]), "x", ["team=z"], false),
        new CompatibilityCase("In with several values", Alloc(serviceSelectors: [Expr("team", "In", "a", "b")]), "x", ["team=b"], true),
        new CompatibilityCase("matchLabels and expressions are ANDed",
            Alloc(serviceSelectors: [new LabelSelectorSpec { MatchLabels = Labels("a=1"), MatchExpressions = [new("b", "Exists", [])] }]), "x", ["a=1"], false),
    ];

    [Theory]
    [MemberData(nameof(CompatibilityCases))]
    public void Compatibility(CompatibilityCase c)
    {
        var config = Valid(Cluster(Pool("p", "1.2.3.0/24") with { ServiceAllocation = c.Spec }));
        Assert.Equal(c.Compatible, config.ByName["p"].IsCompatible(c.Namespace, Labels(c.Labels)));
    }

    // L2Advertisement attachment (§1.3).

    private static readonly NodeResource[] Nodes =
    [
        new("node-a", Labels("role=edge", "zone=1")),
        new("node-b", Labels("role=edge", "zone=2")),
        new("node-c", Labels("role=core", "zone=1")),
    ];

    private static ClusterResources ThreePools() => Cluster(
        Pool("p1", "1.2.1.0/24") with { Labels = Labels("tier=gold") },
        Pool("p2", "1.2.2.0/24") with { Labels = Labels("tier=silver") },
        Pool("p3", "1.2.3.0/24")).WithNodes(Nodes);

    private static string[] AdsOf(LoadBalancerConfig config, string pool) =>
        [.. config.ByName[pool].L2Advertisements.Select(a => a.Name)];

    [Fact]
    public void No_selection_attaches_to_every_pool()
    {
        var config = Valid(ThreePools().With(L2("all")));
        Assert.Equal(["all"], AdsOf(config, "p1"));
        Assert.Equal(["all"], AdsOf(config, "p2"));
        Assert.Equal(["all"], AdsOf(config, "p3"));
        var ad = config.ByName["p1"].L2Advertisements[0];
        Assert.Null(ad.Nodes);
        Assert.True(ad.AllInterfaces);
        Assert.True(ad.IncludesNode("anything"));
        Assert.True(ad.MatchesService(ImmutableDictionary<string, string>.Empty));
    }

    [Fact]
    public void Names_and_label_selectors_are_a_union()
    {
        var config = Valid(ThreePools().With(L2("some") with { IpAddressPools = ["p3"], IpAddressPoolSelectors = [Match("tier=gold")], Interfaces = ["eth0"] }));
        Assert.Equal(["some"], AdsOf(config, "p1"));
        Assert.Empty(AdsOf(config, "p2"));
        Assert.Equal(["some"], AdsOf(config, "p3"));
    }

    [Fact]
    public void Pool_label_selectors_are_ORed()
    {
        var config = Valid(ThreePools().With(L2("ored") with { IpAddressPoolSelectors = [Match("tier=gold"), Expr("tier", "In", "silver")] }));
        Assert.Equal(["ored"], AdsOf(config, "p1"));
        Assert.Equal(["ored"], AdsOf(config, "p2"));
        Assert.Empty(AdsOf(config, "p3"));
    }

    [Fact]
    public void A_pool_without_advertisement_still_exists_allocate_only()
    {
        var config = Valid(ThreePools().With(L2("only-p1") with { IpAddressPools = ["p1"] }));
        Assert.Equal(3, config.Pools.Length);
        Assert.Empty(AdsOf(config, "p2"));
    }

    [Fact]
    public void Equivalent_advertisements_are_attached_once()
    {
        // "twin" resolves to the same nodes (zone=2 → node-b; zone=1 and edge → node-a), the same interface set and the
        // same service selectors in another order: equivalent, so not attached again. Each other one differs in one respect.
        var config = Valid(ThreePools().With(
            L2("first") with { Interfaces = ["eth0", "eth1"], NodeSelectors = [Match("role=edge")], ServiceSelectors = [Match("a=1"), Match("b=2")] },
            L2("twin") with { Interfaces = ["eth1", "eth0"], NodeSelectors = [Expr("zone", "In", "2"), Match("zone=1", "role=edge")], ServiceSelectors = [Match("b=2"), Match("a=1")] },
            L2("other-interfaces") with { Interfaces = ["eth2"], NodeSelectors = [Match("role=edge")], ServiceSelectors = [Match("a=1"), Match("b=2")] },
            L2("other-nodes") with { Interfaces = ["eth0", "eth1"], NodeSelectors = [Match("role=core")], ServiceSelectors = [Match("a=1"), Match("b=2")] },
            L2("all-nodes") with { Interfaces = ["eth0", "eth1"], ServiceSelectors = [Match("a=1"), Match("b=2")] },
            L2("other-selectors") with { Interfaces = ["eth0", "eth1"], NodeSelectors = [Match("role=edge")], ServiceSelectors = [Match("a=1")] }));

        string[] expected = ["first", "other-interfaces", "other-nodes", "all-nodes", "other-selectors"];
        Assert.Equal(expected, AdsOf(config, "p1"));
        Assert.Equal(expected, AdsOf(config, "p3"));
    }

    [Fact]
    public void Two_empty_advertisements_are_attached_once()
    {
        var config = Valid(ThreePools().With(L2("a"), L2("b") with { IpAddressPools = ["p2"] }));
        Assert.Equal(["a"], AdsOf(config, "p1"));
        Assert.Equal(["a"], AdsOf(config, "p2"));
    }

    [Fact]
    public void Unknown_pool_names_are_a_warning_not_an_error()
    {
        var result = ConfigParser.Parse(ThreePools().With(L2("typo") with { IpAddressPools = ["p1", "p-missing"] }));
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.NotNull(result.Config);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("typo", warning.Target.Name);
        Assert.Contains("p-missing", warning.Message, StringComparison.Ordinal);
        Assert.Equal(["typo"], AdsOf(result.Config!, "p1"));
        Assert.Empty(AdsOf(result.Config!, "p2"));
    }

    [Fact]
    public void Only_unknown_names_attach_to_nothing()
    {
        // A name list that matches no pool is still a selection: the advertisement must not fall back to "all pools".
        var result = ConfigParser.Parse(ThreePools().With(L2("typo") with { IpAddressPools = ["p-missing"] }));
        Assert.True(result.IsValid);
        Assert.Single(result.Warnings);
        Assert.All(result.Config!.Pools, p => Assert.Empty(p.L2Advertisements));
    }

    [Fact]
    public void Node_selectors_are_resolved_against_the_nodes()
    {
        var config = Valid(ThreePools().With(
            L2("edge") with { IpAddressPools = ["p1"], NodeSelectors = [Match("role=edge")] },
            L2("ored") with { IpAddressPools = ["p2"], NodeSelectors = [Match("role=core"), Match("zone=2")] },
            L2("none") with { IpAddressPools = ["p3"], NodeSelectors = [Match("role=nothing")] }));
        Assert.Equal(["node-a", "node-b"], config.ByName["p1"].L2Advertisements[0].Nodes!);
        Assert.Equal(["node-b", "node-c"], config.ByName["p2"].L2Advertisements[0].Nodes!);

        // A selector matching no node means nobody may announce (not "everybody").
        var none = config.ByName["p3"].L2Advertisements[0];
        Assert.NotNull(none.Nodes);
        Assert.Empty(none.Nodes);
        Assert.False(none.IncludesNode("node-a"));
        Assert.Equal(["node-a", "node-b", "node-c"], config.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Service_selectors_on_an_advertisement_are_ORed()
    {
        var config = Valid(ThreePools().With(L2("svc") with { ServiceSelectors = [Match("app=web"), Match("app=db")] }));
        var ad = config.ByName["p1"].L2Advertisements[0];
        Assert.True(ad.MatchesService(Labels("app=db")));
        Assert.False(ad.MatchesService(Labels("app=cache")));
    }

    public sealed record ReloadCase(string Desc, IpAddressPoolResource Changed, bool AllocatesLike)
    {
        public override string ToString() => Desc;
    }

    // The controller does nothing when the new pools allocate like the old ones (§3.1 "If they are equal, it does nothing").
    public static TheoryData<ReloadCase> ReloadCases =>
    [
        new ReloadCase("identical", Pool("p", "1.2.3.0/24"), true),
        new ReloadCase("pool labels only matter to advertisements", Pool("p", "1.2.3.0/24") with { Labels = Labels("tier=gold") }, true),
        new ReloadCase("the same prefix written as a range", Pool("p", "1.2.3.0-1.2.3.255"), true),
        new ReloadCase("another prefix", Pool("p", "1.2.4.0/24"), false),
        new ReloadCase("prefixes in another order (allocation order changes)", Pool("p", "1.2.3.128/25", "1.2.3.0/25"), false),
        new ReloadCase("autoAssign off", Pool("p", "1.2.3.0/24") with { AutoAssign = false }, false),
        new ReloadCase("avoidBuggyIPs on", Pool("p", "1.2.3.0/24") with { AvoidBuggyIps = true }, false),
        new ReloadCase("a priority", Pool("p", "1.2.3.0/24") with { ServiceAllocation = Alloc(priority: 1) }, false),
        new ReloadCase("renamed", Pool("q", "1.2.3.0/24"), false),
    ];

    [Theory]
    [MemberData(nameof(ReloadCases))]
    public void AllocatesLike(ReloadCase c)
    {
        var before = Valid(Cluster(Pool("p", "1.2.3.0/24")));
        var after = Valid(Cluster(c.Changed));
        Assert.Equal(c.AllocatesLike, before.AllocatesLike(after));
        Assert.Equal(c.AllocatesLike, after.AllocatesLike(before));
    }

    [Fact]
    public void Advertisements_do_not_change_allocation()
    {
        var without = Valid(ThreePools());
        var with = Valid(ThreePools().With(L2("all") with { Interfaces = ["eth0"] }));
        Assert.True(without.AllocatesLike(with));
    }
}
