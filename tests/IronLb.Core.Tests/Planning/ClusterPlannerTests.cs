using System.Collections.Immutable;
using System.Numerics;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;

namespace IronLb.Core.Tests.Planning;

public sealed class ClusterPlannerTests
{
    private static readonly ImmutableDictionary<string, string> NoLabels = ImmutableDictionary<string, string>.Empty;

    // The campus cluster's external pool (seed/cluster-metallb-docs.txt): 36 IPv4 addresses and a /64.
    private static IpAddressPoolResource External() => new()
    {
        Ref = new ObjectRef("IPAddressPool", "metallb-system", "external", "ips-external.yaml"),
        Addresses = ["141.89.58.175/32", "141.89.58.180/30", "141.89.58.184/29", "141.89.58.192/28", "141.89.58.208/31", "141.89.58.211/32", "141.89.58.212/30", "2001:638:807:3a::/64"],
        AutoAssign = false,
    };

    private static IpAddressPoolResource Office() => new()
    {
        Ref = new ObjectRef("IPAddressPool", "metallb-system", "office", "ips-office.yaml"),
        Addresses = ["10.1.0.0/16", "2001:638:807:403::/64"],
        AutoAssign = false,
    };

    private static L2AdvertisementResource Advertise(string pool, string nic) => new()
    {
        Ref = new ObjectRef("L2Advertisement", "metallb-system", pool),
        IpAddressPools = [pool],
        Interfaces = [nic],
    };

    private static ServiceView Dual(string ns, string name, string ips, int createdMinute) => new()
    {
        Key = new ServiceKey(ns, name),
        ClusterIps = ["10.96.0.10", "fd00:10:96::10"],
        IpFamilyPolicy = IpFamilyPolicy.RequireDualStack,
        Annotations = NoLabels.Add(ServiceAnnotations.LoadBalancerIps, ips),
        Ports = [new ServicePort("TCP", 443)],
        CreationTimestamp = new DateTimeOffset(2025, 1, 1, 0, createdMinute, 0, TimeSpan.Zero),
    };

    private static PlanInput Campus(params ServiceView[] services) => new()
    {
        Resources = new ClusterResources
        {
            Pools = [External(), Office()],
            L2Advertisements = [Advertise("external", "eno2"), Advertise("office", "eno3")],
            Nodes = [.. new[] { "cwn1", "cwn2", "cwn3", "cwn4" }.Select(n => new NodeResource(n, NoLabels))],
        },
        Services = [.. services],
    };

    [Fact]
    public void Campus_pool_usage_is_exact_and_every_service_is_announced_on_its_interface()
    {
        var result = ClusterPlanner.Plan(Campus(
            Dual("mail", "smtpin", "141.89.58.192,2001:638:807:3a::25", 1),
            Dual("rdp", "remote-pc", "141.89.58.184,2001:638:807:3a:dd55:81e:44c2:7296", 2),
            Dual("dns", "dns", "10.1.0.254,2001:638:807:403::53", 3)));

        Assert.Empty(result.Errors);
        var external = Assert.Single(result.Pools, p => p.Name == "external");
        Assert.Equal(new FamilyUsage(36, 2, 34), external.IPv4);
        Assert.Equal(new FamilyUsage(BigInteger.Parse("18446744073709551616"), 2, BigInteger.Parse("18446744073709551614")), external.IPv6);
        Assert.False(external.AutoAssign);

        var smtpin = Assert.Single(result.Services, s => s.Name == "smtpin");
        Assert.Equal(["141.89.58.192", "2001:638:807:3a::25"], smtpin.Ips);
        Assert.Equal("external", smtpin.Pool);
        Assert.NotNull(smtpin.Announce);
        Assert.Equal(["eno2"], smtpin.Announce.Interfaces);
        Assert.Contains(smtpin.Announce.Node, new[] { "cwn1", "cwn2", "cwn3", "cwn4" });
        Assert.Contains(smtpin.Events, e => e.Reason == EventReasons.IpAllocated);

        var dns = Assert.Single(result.Services, s => s.Name == "dns");
        Assert.Equal("office", dns.Pool);
        Assert.Equal(["eno3"], dns.Announce!.Interfaces);
    }

    [Fact]
    public void Announcer_is_the_hash_winner_among_the_nodes()
    {
        var result = ClusterPlanner.Plan(Campus(Dual("mail", "smtpin", "141.89.58.192,2001:638:807:3a::25", 1)));
        var expected = new[] { "cwn1", "cwn2", "cwn3", "cwn4" }
            .OrderBy(n => Convert.ToHexString(L2Election.Hash(n, "141.89.58.192")), StringComparer.Ordinal)
            .First();
        Assert.Equal(expected, result.Services[0].Announce!.Node);
    }

    [Fact]
    public void The_documentation_example_conflicts_with_the_remote_pc_gateway()
    {
        // Older services replay first, so remote-pc keeps 141.89.58.184 and my-service fails.
        var result = ClusterPlanner.Plan(Campus(
            Dual("default", "my-service", "141.89.58.184,2001:638:807:3a:dd55:81e:44c2:7296", 5),
            Dual("rdp", "remote-pc", "141.89.58.184,2001:638:807:3a::3389", 2)));

        var remote = Assert.Single(result.Services, s => s.Name == "remote-pc");
        Assert.Equal("141.89.58.184", remote.Ips[0]);
        var mine = Assert.Single(result.Services, s => s.Name == "my-service");
        Assert.Empty(mine.Ips);
        Assert.Null(mine.Announce);
        var failure = Assert.Single(mine.Events, e => e.Type == "Warning");
        Assert.Equal(EventReasons.AllocationFailed, failure.Reason);
        Assert.Contains("rdp/remote-pc", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Services_holding_addresses_replay_before_older_pending_ones()
    {
        var pool = new IpAddressPoolResource { Ref = new ObjectRef("IPAddressPool", "metallb-system", "tiny"), Addresses = ["192.0.2.1/32"] };
        var holder = new ServiceView { Key = new ServiceKey("b", "holder"), ClusterIps = ["10.96.0.1"], IngressIps = ["192.0.2.1"], CreationTimestamp = DateTimeOffset.UnixEpoch.AddDays(2) };
        var older = new ServiceView { Key = new ServiceKey("a", "older"), ClusterIps = ["10.96.0.2"], CreationTimestamp = DateTimeOffset.UnixEpoch };
        var result = ClusterPlanner.Plan(new PlanInput { Resources = new ClusterResources { Pools = [pool] }, Services = [older, holder] });
        Assert.Equal(["192.0.2.1"], result.Services.Single(s => s.Name == "holder").Ips);
        Assert.Empty(result.Services.Single(s => s.Name == "older").Ips);
    }

    [Fact]
    public void Other_classes_and_non_load_balancers_are_left_out()
    {
        var pool = new IpAddressPoolResource { Ref = new ObjectRef("IPAddressPool", "metallb-system", "p"), Addresses = ["192.0.2.0/30"] };
        var services = new[]
        {
            new ServiceView { Key = new ServiceKey("x", "mine"), ClusterIps = ["10.96.0.1"] },
            new ServiceView { Key = new ServiceKey("x", "classed"), ClusterIps = ["10.96.0.2"], LoadBalancerClass = "other" },
            new ServiceView { Key = new ServiceKey("x", "plain"), ClusterIps = ["10.96.0.3"], Type = "ClusterIP" },
        };
        var result = ClusterPlanner.Plan(new PlanInput { Resources = new ClusterResources { Pools = [pool] }, Services = [.. services] });
        Assert.Equal(["mine"], result.Services.Select(s => s.Name));
    }

    [Fact]
    public void Errors_name_file_and_object_and_valid_pools_still_plan()
    {
        var broken = External() with { Ref = new ObjectRef("IPAddressPool", "metallb-system", "broken", "bad.yaml"), Addresses = ["141.89.58.176/29"] };
        var result = ClusterPlanner.Plan(Campus() with { Resources = Campus().Resources with { Pools = [External(), Office(), broken] } });
        var error = Assert.Single(result.Errors, e => e.ObjectName.Contains("broken", StringComparison.Ordinal));
        Assert.Equal("bad.yaml", error.File);
        Assert.Equal("IPAddressPool metallb-system/broken", error.ObjectName);
        Assert.Contains("overlaps with already defined CIDR", error.Message, StringComparison.Ordinal);
        Assert.Contains(result.Pools, p => p.Name == "external");
        Assert.True(result.Errors.Length == 1, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Missing_endpoint_slices_mean_every_node_serves_and_given_ones_are_used()
    {
        var input = Campus(Dual("mail", "smtpin", "141.89.58.192,2001:638:807:3a::25", 1) with { ExternalTrafficPolicyLocal = true });
        var onlyCwn3 = input with
        {
            Endpoints = ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty.Add(new ServiceKey("mail", "smtpin"), new ServiceEndpoints([new EndpointView("cwn3", true)])),
        };
        Assert.Equal("cwn3", ClusterPlanner.Plan(onlyCwn3).Services[0].Announce!.Node);
        var none = input with
        {
            Endpoints = ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty.Add(new ServiceKey("mail", "smtpin"), ServiceEndpoints.None),
        };
        Assert.Null(ClusterPlanner.Plan(none).Services[0].Announce);
    }

    [Fact]
    public void Suggest_gives_the_lowest_free_IPv4_and_a_random_free_IPv6_inside_the_pool()
    {
        var input = Campus(Dual("mail", "a", "141.89.58.175,2001:638:807:3a::1", 1), Dual("mail", "b", "141.89.58.180,2001:638:807:3a::2", 2));
        var result = ClusterPlanner.Suggest(input, "external", SuggestFamily.Auto, new Random(7));
        Assert.Equal(SuggestOutcome.Ok, result.Outcome);
        Assert.Equal("141.89.58.181", result.Ips[0]);
        Assert.StartsWith("2001:638:807:3a:", result.Ips[1], StringComparison.Ordinal);
        Assert.NotEqual("2001:638:807:3a::", result.Ips[1]);
        Assert.Equal($"metallb.io/loadBalancerIPs: 141.89.58.181,{result.Ips[1]}", result.Annotation);
    }

    [Fact]
    public void Suggest_reports_unknown_and_full_pools()
    {
        Assert.Equal(SuggestOutcome.UnknownPool, ClusterPlanner.Suggest(Campus(), "nope", SuggestFamily.Auto, new Random(1)).Outcome);
        var tiny = new IpAddressPoolResource { Ref = new ObjectRef("IPAddressPool", "metallb-system", "tiny"), Addresses = ["192.0.2.1/32", "2001:db8::/127"] };
        var used = new ServiceView { Key = new ServiceKey("x", "y"), ClusterIps = ["10.96.0.1"], Annotations = NoLabels.Add(ServiceAnnotations.AddressPool, "tiny") };
        var input = new PlanInput { Resources = new ClusterResources { Pools = [tiny] }, Services = [used] };
        Assert.Equal(SuggestOutcome.PoolFull, ClusterPlanner.Suggest(input, "tiny", SuggestFamily.IPv4, new Random(1)).Outcome);
        var v6 = ClusterPlanner.Suggest(input, "tiny", SuggestFamily.IPv6, new Random(1));
        Assert.Equal(["2001:db8::1"], v6.Ips);
    }
}
