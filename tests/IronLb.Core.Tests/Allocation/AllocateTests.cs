using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>
/// MetalLB's TestPoolAllocation, TestAutoAssign, TestBuggyIPs (spec §6.2 cases 14–22) and the pool choice of §3.4.
/// Where MetalLB picks among equal pools at random we pick by priority, then name; those assertions say so.
/// </summary>
public sealed class AllocateTests
{
    private static Allocator PoolAllocationAllocator() => AllocatorWith(
        Pool("test", "1.2.3.4/31", "1.2.3.10/31", "1000::/127", "2000::/127"),
        Pool("test-v4", "5.0.0.0/30"),
        Pool("test-v6", "5000::/126"),
        Pool("test-dualstack", "6.0.0.0/30", "6000::/126"));

    [Fact]
    public void TestPoolAllocation_IPv4()
    {
        var allocator = PoolAllocationAllocator();

        // 14: four addresses, handed out lowest first in spec order (MetalLB's scan order too).
        string[] expected = ["1.2.3.4", "1.2.3.5", "1.2.3.10", "1.2.3.11"];
        for (var i = 0; i < 4; i++)
        {
            var result = allocator.AllocateFromPool(Request($"s{i + 1}"), "test", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack);
            Assert.True(result.Succeeded, $"s{i + 1}: {result.Error}");
            Assert.Equal(expected[i], Assert.Single(result.Ips).ToString());
        }

        foreach (var name in new[] { "s5", "s6" })
        {
            var result = allocator.AllocateFromPool(Request(name), "test", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack);
            Assert.False(result.Succeeded, $"{name} should find the pool exhausted");
            Assert.Contains("no available IPs in pool \"test\"", result.Error, StringComparison.Ordinal);
        }

        // 15: s1 releases; s5 gets the freed address, s6 still fails.
        Assert.True(allocator.Unassign(new ServiceKey("default", "s1")));
        Assert.Equal("1.2.3.4", Text(allocator.AllocateFromPool(Request("s5"), "test", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack).Ips));
        Assert.False(allocator.AllocateFromPool(Request("s6"), "test", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack).Succeeded);

        // 16: s5 re-allocates with a sharing key; s6 with the same key and another port shares its address.
        var s5 = allocator.AllocateFromPool(Request("s5", sharing: "share", ports: [Tcp(80)]), "test", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack);
        Assert.Equal("1.2.3.4", Text(s5.Ips));
        var s6 = allocator.AllocateFromPool(Request("s6", sharing: "share", ports: [Tcp(443)]), "test", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack);
        Assert.True(s6.Succeeded, s6.Error);
        Assert.Equal("1.2.3.4", Text(s6.Ips));
        Assert.Equal(new PoolCounters(4, 0), allocator.Counters("test"));
        AssertConsistent(allocator, "after sharing");

        // 18: s1 holds IPv4 and asks the pool for IPv6 single-stack: wrong family already assigned.
        Assert.True(allocator.AllocateFromPool(Request("s1"), "test-v4", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack).Succeeded);
        var wrong = allocator.AllocateFromPool(Request("s1"), "test", ServiceFamily.IPv6, IpFamilyPolicy.SingleStack);
        Assert.False(wrong.Succeeded);
        Assert.Contains("wrong family", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TestPoolAllocation_IPv6()
    {
        var allocator = PoolAllocationAllocator();
        string[] expected = ["1000::", "1000::1", "2000::", "2000::1"];
        for (var i = 0; i < 4; i++)
        {
            var result = allocator.AllocateFromPool(Request($"s{i + 1}"), "test", ServiceFamily.IPv6, IpFamilyPolicy.SingleStack);
            Assert.Equal(expected[i], Text(result.Ips));
        }

        Assert.False(allocator.AllocateFromPool(Request("s5"), "test", ServiceFamily.IPv6, IpFamilyPolicy.SingleStack).Succeeded);
        Assert.True(allocator.Unassign(new ServiceKey("default", "s3")));
        Assert.Equal("2000::", Text(allocator.AllocateFromPool(Request("s5"), "test", ServiceFamily.IPv6, IpFamilyPolicy.SingleStack).Ips));
        Assert.Equal(new PoolCounters(0, 4), allocator.Counters("test"));
    }

    [Fact]
    public void TestPoolAllocation_RequireDualStack()
    {
        var allocator = PoolAllocationAllocator();
        string[] expected = ["1.2.3.4,1000::", "1.2.3.5,1000::1", "1.2.3.10,2000::", "1.2.3.11,2000::1"];
        for (var i = 0; i < 4; i++)
        {
            var result = allocator.AllocateFromPool(Request($"s{i + 1}"), "test", ServiceFamily.Dual, IpFamilyPolicy.RequireDualStack);
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal(expected[i], Text(result.Ips));
        }

        Assert.False(allocator.AllocateFromPool(Request("s5"), "test", ServiceFamily.Dual, IpFamilyPolicy.RequireDualStack).Succeeded);
        Assert.Equal(new PoolCounters(4, 4), allocator.Counters("test"));

        // RequireDualStack from a single-family pool fails with the family in the message.
        var single = allocator.AllocateFromPool(Request("s6"), "test-v4", ServiceFamily.Dual, IpFamilyPolicy.RequireDualStack);
        Assert.False(single.Succeeded);
        Assert.Contains("no available IPs in pool \"test-v4\" for dual IPFamily", single.Error, StringComparison.Ordinal);
    }

    public sealed record PreferCase(string Desc, string Pool, string Expected)
    {
        public override string ToString() => Desc;
    }

    // 19: PreferDualStack with a dual-stack Service takes what the pool has.
    public static TheoryData<PreferCase> PreferCases =>
    [
        new PreferCase("dual pool gives two", "test", "1.2.3.4,1000::"),
        new PreferCase("IPv4 pool gives one IPv4", "test-v4", "5.0.0.0"),
        new PreferCase("IPv6 pool gives one IPv6", "test-v6", "5000::"),
        new PreferCase("dual-stack pool gives two", "test-dualstack", "6.0.0.0,6000::"),
    ];

    [Theory]
    [MemberData(nameof(PreferCases))]
    public void TestPoolAllocation_PreferDualStack(PreferCase c)
    {
        var allocator = PoolAllocationAllocator();
        var result = allocator.AllocateFromPool(Request("s1"), c.Pool, ServiceFamily.Dual, IpFamilyPolicy.PreferDualStack);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(c.Expected, Text(result.Ips));
        Assert.Equal(c.Pool, allocator.Get(new ServiceKey("default", "s1"))!.Pool);
    }

    [Fact]
    public void TestPoolAllocation_unknown_pool()
    {
        var result = PoolAllocationAllocator().AllocateFromPool(Request("s1"), "nope", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack);
        Assert.False(result.Succeeded);
        // MetalLB's text, then the pools that do exist (a typo is the usual cause).
        Assert.Equal("unknown pool \"nope\"; the pools are test, test-dualstack, test-v4 and test-v6", result.Error);
    }

    [Fact]
    public void AllocateFromPool_ignores_autoAssign_but_not_compatibility()
    {
        var allocator = AllocatorWith(
            Pool("manual", "1.2.3.0/31") with { AutoAssign = false },
            Pool("team", "1.2.4.0/31") with { Allocation = Restrict(namespaces: ["team-ns"]) });
        Assert.Equal("1.2.3.0", Text(allocator.AllocateFromPool(Request("s1"), "manual", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack).Ips));
        var refused = allocator.AllocateFromPool(Request("s2"), "team", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack);
        Assert.False(refused.Succeeded);
        Assert.Contains("not compatible", refused.Error, StringComparison.Ordinal);
        Assert.True(allocator.AllocateFromPool(Request("s2", ns: "team-ns"), "team", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack).Succeeded);
    }

    public sealed record AutoCase(string Desc, string[] Manual, string[] Auto, ServiceFamily Family, IpFamilyPolicy Policy, string[] Expected)
    {
        public override string ToString() => Desc;
    }

    // 21: automatic allocation never touches an autoAssign: false pool.
    public static TheoryData<AutoCase> AutoCases =>
    [
        new AutoCase("IPv4", ["1.2.3.4/31"], ["1.2.3.10/31"], ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, ["1.2.3.10", "1.2.3.11"]),
        new AutoCase("IPv6", ["1000::4/127"], ["1000::10/127"], ServiceFamily.IPv6, IpFamilyPolicy.SingleStack, ["1000::10", "1000::11"]),
        new AutoCase("dual", ["1.2.3.4/31", "1000::4/127"], ["1.2.3.10/31", "1000::10/127"], ServiceFamily.Dual, IpFamilyPolicy.RequireDualStack,
            ["1.2.3.10,1000::10", "1.2.3.11,1000::11"]),
    ];

    [Theory]
    [MemberData(nameof(AutoCases))]
    public void TestAutoAssign(AutoCase c)
    {
        var allocator = AllocatorWith(Pool("test1", c.Manual) with { AutoAssign = false }, Pool("test2", c.Auto));
        for (var i = 1; i <= 5; i++)
        {
            var result = allocator.Allocate(Request($"s{i}"), c.Family, c.Policy, IpFamily.IPv4);
            if (i <= c.Expected.Length)
            {
                Assert.True(result.Succeeded, $"{c.Desc} s{i}: {result.Error}");
                Assert.Equal(c.Expected[i - 1], Text(result.Ips));
            }
            else
            {
                Assert.False(result.Succeeded, $"{c.Desc} s{i} should fail, got {Text(result.Ips)}");
                Assert.Equal("no available IPs", result.Error);
            }
        }

        Assert.Equal(default, allocator.Counters("test1"));
    }

    [Fact]
    public void TestBuggyIPs()
    {
        // 22 (§3.6): six addresses can be allocated, the seventh fails.
        var allocator = AllocatorWith(
            Pool("a", "1.2.3.0/31"),
            Pool("b", "1.2.3.254/31"),
            Pool("c", "1.2.4.0/31") with { AvoidBuggyIps = true },
            Pool("d", "1.2.4.254/31") with { AvoidBuggyIps = true });
        var got = new List<string>();
        for (var i = 1; i <= 6; i++)
        {
            var result = allocator.Allocate(Request($"s{i}"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
            Assert.True(result.Succeeded, $"allocation {i}: {result.Error}");
            got.Add(Text(result.Ips));
        }

        Assert.False(allocator.Allocate(Request("s7"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Succeeded);
        Assert.Equal(["1.2.3.0", "1.2.3.1", "1.2.3.254", "1.2.3.255", "1.2.4.1", "1.2.4.254"], got.Order(StringComparer.Ordinal));

        // Deterministic: general pools in name order, lowest address first (MetalLB tries them in random order).
        Assert.Equal(["1.2.3.0", "1.2.3.1", "1.2.3.254", "1.2.3.255", "1.2.4.1", "1.2.4.254"], got);
    }

    [Fact]
    public void Lowest_free_address_first_in_spec_order_not_numeric_order()
    {
        // The pool's CIDR list keeps spec.addresses order, and that drives allocation (§1.2, §3.6).
        var allocator = AllocatorWith(Pool("p", "10.0.0.8/31", "10.0.0.0/31"));
        string[] expected = ["10.0.0.8", "10.0.0.9", "10.0.0.0", "10.0.0.1"];
        foreach (var (ip, i) in expected.Select((ip, i) => (ip, i)))
        {
            Assert.Equal(ip, Text(allocator.Allocate(Request($"s{i}"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        }

        // A freed address is the next one handed out.
        allocator.Unassign(new ServiceKey("default", "s1"));
        Assert.Equal("10.0.0.9", Text(allocator.Allocate(Request("again"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
    }

    [Fact]
    public void Sharing_is_opportunistic_the_lowest_compatible_address_wins()
    {
        var allocator = AllocatorWith(Pool("p", "10.0.0.0/30"));
        Assert.Equal("10.0.0.0", Text(allocator.Allocate(Request("plain"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        Assert.Equal("10.0.0.1", Text(allocator.Allocate(Request("web", sharing: "k", ports: [Tcp(80)]), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));

        // Same key, free port: lands on web's address. Same key, colliding port: the next free one.
        Assert.Equal("10.0.0.1", Text(allocator.Allocate(Request("dns", sharing: "k", ports: [Udp(53)]), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        Assert.Equal("10.0.0.2", Text(allocator.Allocate(Request("web2", sharing: "k", ports: [Tcp(80)]), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));

        // Once 10.0.0.2 is used by key k too, a fourth k service with TCP/443 still prefers the lowest: 10.0.0.1.
        Assert.Equal("10.0.0.1", Text(allocator.Allocate(Request("tls", sharing: "k", ports: [Tcp(443)]), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));

        // Another key, or a different backend, never joins.
        Assert.Equal("10.0.0.3", Text(allocator.Allocate(Request("other", sharing: "j", ports: [Tcp(8080)]), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        Assert.False(allocator.Allocate(Request("local", sharing: "k", backend: "app=x", ports: [Tcp(9000)]), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Succeeded);
        Assert.Equal(new PoolCounters(4, 0), allocator.Counters("p"));
        AssertConsistent(allocator, "after sharing");
    }

    [Fact]
    public void Allocate_for_a_service_that_already_holds_addresses_reasserts_them()
    {
        var allocator = AllocatorWith(Pool("p", "10.0.0.0/30"));
        var first = allocator.Allocate(Request("s"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
        var again = allocator.Allocate(Request("s"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
        Assert.Equal(first.Ips, again.Ips);
        Assert.Equal(new PoolCounters(1, 0), allocator.Counters("p"));
    }

    public sealed record PoolChoiceCase(string Desc, string Ns, string[] Labels, string ExpectedPool)
    {
        public override string ToString() => Desc;
    }

    private static Allocator ChoiceAllocator() => AllocatorWith(
        Pool("general-b", "10.0.2.0/24"),
        Pool("general-a", "10.0.1.0/24"),
        Pool("manual", "10.0.0.0/24") with { AutoAssign = false },
        Pool("ns1-prio10", "10.1.10.0/24") with { Allocation = Restrict(priority: 10, namespaces: ["ns1"]) },
        Pool("ns1-prio2", "10.1.2.0/24") with { Allocation = Restrict(priority: 2, namespaces: ["ns1"]) },
        Pool("ns1-noprio", "10.1.0.0/24") with { Allocation = Restrict(namespaces: ["ns1"]) },
        Pool("ns1-manual", "10.1.1.0/24") with { AutoAssign = false, Allocation = Restrict(priority: 1, namespaces: ["ns1"]) },
        Pool("web-prio5", "10.2.5.0/24") with { Allocation = Restrict(priority: 5, selectors: ["app=web"]) },
        Pool("web-prio5-b", "10.2.6.0/24") with { Allocation = Restrict(priority: 5, selectors: ["app=web"]) },
        Pool("ns2-unmatched-selector", "10.3.0.0/24") with { Allocation = Restrict() });

    public static TheoryData<PoolChoiceCase> PoolChoiceCases =>
    [
        // MetalLB tries general pools in Go map order (random); we try them by name.
        new PoolChoiceCase("a plain service gets the first general pool by name", "default", [], "general-a"),
        new PoolChoiceCase("pinned by namespace: best positive priority wins, autoAssign off never", "ns1", [], "ns1-prio2"),
        new PoolChoiceCase("pinned by selector beats a worse namespace priority", "ns1", ["app=web"], "ns1-prio2"),

        // Equal priorities: MetalLB's order is unspecified ("random" in the docs); we break the tie by name.
        new PoolChoiceCase("pinned by selector, equal priorities: by name", "default", ["app=web"], "web-prio5"),
        new PoolChoiceCase("other namespace, other labels: general pool", "ns2", ["app=db"], "general-a"),
    ];

    [Theory]
    [MemberData(nameof(PoolChoiceCases))]
    public void Pool_choice(PoolChoiceCase c)
    {
        var allocator = ChoiceAllocator();
        var request = Request("s", ns: c.Ns, labels: Labels(c.Labels));
        var result = allocator.Allocate(request, ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(c.ExpectedPool, allocator.Get(request.Key)!.Pool);
    }

    [Fact]
    public void Priority_zero_comes_after_positive_priorities_and_pinned_pools_fall_back_to_general_ones()
    {
        var allocator = AllocatorWith(
            Pool("general", "10.0.0.0/24"),
            Pool("noprio", "10.1.0.0/32") with { Allocation = Restrict(namespaces: ["ns1"]) },
            Pool("prio9", "10.9.0.0/32") with { Allocation = Restrict(priority: 9, namespaces: ["ns1"]) });
        string[] expected = ["prio9", "noprio", "general", "general"];
        for (var i = 0; i < expected.Length; i++)
        {
            var request = Request($"s{i}", ns: "ns1");
            Assert.True(allocator.Allocate(request, ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Succeeded);
            Assert.Equal(expected[i], allocator.Get(request.Key)!.Pool);
        }
    }

    [Fact]
    public void A_pool_with_only_a_priority_serves_everyone_and_never_the_fallback()
    {
        // §3.7 (issue 2656): only a priority → service selectors match everything, so the pool is pinned for every service.
        // A pool with any serviceAllocation is never in the general fallback.
        var allocator = AllocatorWith(
            Pool("general", "10.0.0.0/24"),
            Pool("prio", "10.5.0.0/32") with { Allocation = new(5, [], [IronLb.Core.Configuration.LabelSelector.Everything]) });
        var first = Request("s1", ns: "anywhere");
        Assert.True(allocator.Allocate(first, ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Succeeded);
        Assert.Equal("prio", allocator.Get(first.Key)!.Pool);
        var second = Request("s2", ns: "anywhere");
        Assert.True(allocator.Allocate(second, ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Succeeded);
        Assert.Equal("general", allocator.Get(second.Key)!.Pool);
    }

    [Fact]
    public void A_pool_whose_namespace_selectors_matched_nothing_is_never_auto_assigned_but_explicitly_usable()
    {
        // §3.7 quirk: no namespaces, no service selectors: in neither index, so never auto-assigned; compatible with all.
        var allocator = AllocatorWith(Pool("quirk", "10.3.0.0/24") with { Allocation = Restrict() });
        var auto = allocator.Allocate(Request("s1"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
        Assert.False(auto.Succeeded);
        Assert.Null(allocator.Assign(Request("s1", ns: "any"), Ips("10.3.0.7")));
        Assert.True(allocator.AllocateFromPool(Request("s2", ns: "other"), "quirk", ServiceFamily.IPv4, IpFamilyPolicy.SingleStack).Succeeded);
    }

    [Fact]
    public void Dual_stack_never_combines_two_single_family_pools()
    {
        var allocator = AllocatorWith(Pool("v4", "10.0.0.0/30"), Pool("v6", "fd00::/126"));
        var require = allocator.Allocate(Request("s1"), ServiceFamily.Dual, IpFamilyPolicy.RequireDualStack, IpFamily.IPv4);
        Assert.False(require.Succeeded);

        // PreferDualStack falls back to one address of the primary family (ipFamilies[0], default IPv4)...
        Assert.Equal("10.0.0.0", Text(allocator.Allocate(Request("s2"), ServiceFamily.Dual, IpFamilyPolicy.PreferDualStack, IpFamily.IPv4).Ips));

        // ... or IPv6 when ipFamilies[0] is IPv6.
        Assert.Equal("fd00::", Text(allocator.Allocate(Request("s3"), ServiceFamily.Dual, IpFamilyPolicy.PreferDualStack, IpFamily.IPv6).Ips));
    }

    [Fact]
    public void PreferDualStack_falls_back_to_the_secondary_family_when_the_primary_is_exhausted()
    {
        var allocator = AllocatorWith(Pool("v4", "10.0.0.0/32"), Pool("v6", "fd00::/127"));
        Assert.Equal("10.0.0.0", Text(allocator.Allocate(Request("s1"), ServiceFamily.Dual, IpFamilyPolicy.PreferDualStack, IpFamily.IPv4).Ips));
        Assert.Equal("fd00::", Text(allocator.Allocate(Request("s2"), ServiceFamily.Dual, IpFamilyPolicy.PreferDualStack, IpFamily.IPv4).Ips));
    }

    [Fact]
    public void A_single_family_service_takes_its_family_from_a_dual_pool()
    {
        var allocator = AllocatorWith(Pool("dual", "10.0.0.0/30", "fd00::/126"));
        Assert.Equal("fd00::", Text(allocator.Allocate(Request("s1"), ServiceFamily.IPv6, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        Assert.Equal("10.0.0.0", Text(allocator.Allocate(Request("s2"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        Assert.Equal(new PoolCounters(1, 1), allocator.Counters("dual"));
    }

    [Fact]
    public void FreeIps_reports_one_candidate_per_family()
    {
        var allocator = AllocatorWith(Pool("dual", "10.0.0.0/31", "fd00::/127"), Pool("v4", "10.1.0.0/32"));
        var pool = allocator.Config.ByName["dual"];
        Assert.Equal((Ip("10.0.0.0"), Ip("fd00::")), allocator.FreeIps(pool, Request("x")));
        Assert.Null(allocator.Assign(Request("s1"), Ips("10.0.0.0", "fd00::")));
        Assert.Null(allocator.Assign(Request("s2"), Ips("10.0.0.1")));
        Assert.Equal((null, Ip("fd00::1")), allocator.FreeIps(pool, Request("x")));
        Assert.Equal((null, null), allocator.FreeIps(allocator.Config.ByName["v4"] with { Name = "not-installed" }, Request("x")));
    }
}
