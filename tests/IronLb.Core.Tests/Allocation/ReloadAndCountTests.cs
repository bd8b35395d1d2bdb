using System.Numerics;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>MetalLB's TestConfigReload (§3.8), TestPoolCount and TestPoolMetrics (§3.9, §6.2 cases 23–29).</summary>
public sealed class ReloadAndCountTests
{
    public sealed record ReloadCase(string Desc, AddressPool[] Pools, string? S1Pool, string? S2Pool)
    {
        public override string ToString() => Desc;
    }

    // Start: pool "test" = {1.2.3.0/30, 1000::/126}; s1 holds 1.2.3.0, s2 holds 1000::. Null = unassigned.
    public static TheoryData<ReloadCase> ReloadCases =>
    [
        new ReloadCase("same config", [Pool("test", "1.2.3.0/30", "1000::/126")], "test", "test"),
        new ReloadCase("expand to /24 and /120", [Pool("test", "1.2.3.0/24", "1000::/120")], "test", "test"),
        new ReloadCase("shrink v4 to 1.2.3.2/31", [Pool("test", "1.2.3.2/31", "1000::/126")], null, "test"),
        new ReloadCase("shrink v6 to 1000::2/127", [Pool("test", "1.2.3.0/30", "1000::2/127")], "test", null),
        new ReloadCase("rename to test2", [Pool("test2", "1.2.3.0/30", "1000::/126")], "test2", "test2"),
        new ReloadCase("split into test and test2", [Pool("test", "1.2.3.0/31", "1000::2/127"), Pool("test2", "1.2.3.2/31", "1000::/127")], "test", "test2"),
        new ReloadCase("avoidBuggyIPs turned on", [Pool("test", "1.2.3.0/30", "1000::/126") with { AvoidBuggyIps = true }], null, "test"),
        new ReloadCase("all pools removed", [], null, null),
        new ReloadCase("the addresses now belong to a restricted pool: kept (Assign re-checks compatibility at converge)",
            [Pool("test", "1.2.3.0/30", "1000::/126") with { Allocation = Restrict(namespaces: ["elsewhere"]) }], "test", "test"),
    ];

    [Theory]
    [MemberData(nameof(ReloadCases))]
    public void TestConfigReload(ReloadCase c)
    {
        var allocator = AllocatorWith(Pool("test", "1.2.3.0/30", "1000::/126"));
        Assert.Null(allocator.Assign(Request("s1"), Ips("1.2.3.0")));
        Assert.Null(allocator.Assign(Request("s2"), Ips("1000::")));

        allocator.SetPools(Config(c.Pools));

        Assert.Equal(c.S1Pool, allocator.Get(new ServiceKey("default", "s1"))?.Pool);
        Assert.Equal(c.S2Pool, allocator.Get(new ServiceKey("default", "s2"))?.Pool);
        AssertConsistent(allocator, c.Desc);

        // What was released is free again for anyone.
        if (c.S1Pool is null && allocator.PoolFor(Ips("1.2.3.0")) is not null)
        {
            Assert.Empty(allocator.UsersOf(Ip("1.2.3.0")));
        }
    }

    [Fact]
    public void Shrink_back_after_expanding_keeps_the_assignments()
    {
        var allocator = AllocatorWith(Pool("test", "1.2.3.0/30", "1000::/126"));
        Assert.Null(allocator.Assign(Request("s1"), Ips("1.2.3.0")));
        Assert.Null(allocator.Assign(Request("s2"), Ips("1000::")));
        allocator.SetPools(Config(Pool("test", "1.2.3.0/24", "1000::/120")));
        allocator.SetPools(Config(Pool("test", "1.2.3.0/30", "1000::/126")));
        Assert.Equal("test", allocator.Get(new ServiceKey("default", "s1"))?.Pool);
        Assert.Equal("test", allocator.Get(new ServiceKey("default", "s2"))?.Pool);
        Assert.Equal(new PoolCounters(1, 1), allocator.Counters("test"));
    }

    [Fact]
    public void Used_addresses_stay_used_in_a_new_pool_set()
    {
        // After a reload the free-space index is rebuilt: held addresses must not be handed out again.
        var allocator = AllocatorWith(Pool("a", "10.0.0.0/30"));
        Assert.Null(allocator.Assign(Request("s1"), Ips("10.0.0.0")));
        Assert.Null(allocator.Assign(Request("s2"), Ips("10.0.0.1")));
        allocator.SetPools(Config(Pool("b", "10.0.0.0/29")));
        var next = allocator.Allocate(Request("s3"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
        Assert.Equal("10.0.0.2", Text(next.Ips));
        Assert.Equal(new PoolCounters(3, 0), allocator.Counters("b"));
        Assert.Equal(default, allocator.Counters("a"));
    }

    // TestPoolMetrics (§6.2 cases 25–29): pool 1.2.3.4/30 + 1000::4/126.
    private static (Allocator Allocator, AddressPool Pool) MetricsPool()
    {
        var allocator = AllocatorWith(Pool("test", "1.2.3.4/30", "1000::4/126"));
        return (allocator, allocator.Config.ByName["test"]);
    }

    private static (long AvailableV4, long AvailableV6, int AssignedV4, int AssignedV6) Status(Allocator allocator, AddressPool pool)
    {
        // The IPAddressPool status fields: capacity minus distinct addresses in use, per family, saturated to int64.
        var counters = allocator.Counters(pool.Name);
        return (
            Capacity.SaturateToInt64(pool.Capacity(IpFamily.IPv4) - counters.InUseV4),
            Capacity.SaturateToInt64(pool.Capacity(IpFamily.IPv6) - counters.InUseV6),
            counters.InUseV4,
            counters.InUseV6);
    }

    [Fact]
    public void TestPoolMetrics_assign_and_unassign()
    {
        var (allocator, pool) = MetricsPool();

        // 25
        Assert.Equal(new BigInteger(8), pool.Capacity(IpFamily.IPv4) + pool.Capacity(IpFamily.IPv6));
        Assert.Equal((4L, 4L, 0, 0), Status(allocator, pool));

        // 26
        Assert.Null(allocator.Assign(Request("s1"), Ips("1.2.3.4")));
        Assert.Null(allocator.Assign(Request("s2"), Ips("1.2.3.5")));
        Assert.Equal(2, allocator.Counters("test").InUse);
        Assert.Equal((2L, 4L, 2, 0), Status(allocator, pool));
        Assert.True(allocator.Unassign(new ServiceKey("default", "s1")));
        Assert.True(allocator.Unassign(new ServiceKey("default", "s2")));
        Assert.Equal(0, allocator.Counters("test").InUse);
        Assert.Equal((4L, 4L, 0, 0), Status(allocator, pool));
    }

    [Fact]
    public void TestPoolMetrics_shared_address_counts_once()
    {
        var (allocator, _) = MetricsPool();

        // 27: three services share 1.2.3.4; in use stays 1 until the last one leaves.
        Assert.Null(allocator.Assign(Request("s1", sharing: "key", ports: [Tcp(80)]), Ips("1.2.3.4")));
        Assert.Null(allocator.Assign(Request("s2", sharing: "key", ports: [Tcp(443)]), Ips("1.2.3.4")));
        Assert.Null(allocator.Assign(Request("s3", sharing: "key", ports: [Tcp(23)]), Ips("1.2.3.4")));
        Assert.Equal(1, allocator.Counters("test").InUse);
        Assert.True(allocator.Unassign(new ServiceKey("default", "s1")));
        Assert.Equal(1, allocator.Counters("test").InUse);
        Assert.True(allocator.Unassign(new ServiceKey("default", "s2")));
        Assert.Equal(1, allocator.Counters("test").InUse);
        Assert.True(allocator.Unassign(new ServiceKey("default", "s3")));
        Assert.Equal(0, allocator.Counters("test").InUse);

        // 28 (a callback per change) has no counterpart: Core has no callback; the controller compares Counters() itself.
    }

    [Fact]
    public void TestPoolMetrics_removing_all_pools_resets_the_counters()
    {
        // 29
        var (allocator, _) = MetricsPool();
        Assert.Null(allocator.Assign(Request("s1"), Ips("1.2.3.4", "1000::4")));
        Assert.Equal(new PoolCounters(1, 1), allocator.Counters("test"));
        allocator.SetPools(LoadBalancerConfig.Empty);
        Assert.Equal(default, allocator.Counters("test"));
        Assert.Equal(0, allocator.AllocationCount);
        Assert.Empty(allocator.UsersOf(Ip("1.2.3.4")));
    }

    [Fact]
    public void E2E_pool_status_dualstack()
    {
        // assignment.go "Pool Status DUALSTACK": 192.168.10.0/30 + fc00:f853:0ccd:e799::/126.
        var allocator = AllocatorWith(Pool("pool", "192.168.10.0/30", "fc00:f853:0ccd:e799::/126"));
        Assert.Equal((4L, 4L, 0, 0), Status(allocator, allocator.Config.ByName["pool"]));

        var service = Request("dual");
        Assert.True(allocator.Allocate(service, ServiceFamily.Dual, IpFamilyPolicy.RequireDualStack, IpFamily.IPv4).Succeeded);
        Assert.Equal((3L, 3L, 1, 1), Status(allocator, allocator.Config.ByName["pool"]));

        allocator.SetPools(Config(Pool("pool", "192.168.10.0/29", "fc00:f853:0ccd:e799::/125")));
        Assert.Equal((7L, 7L, 1, 1), Status(allocator, allocator.Config.ByName["pool"]));

        Assert.True(allocator.Unassign(service.Key));
        Assert.Equal((8L, 8L, 0, 0), Status(allocator, allocator.Config.ByName["pool"]));
    }

    [Fact]
    public void Status_of_a_huge_pool_saturates()
    {
        var allocator = AllocatorWith(Pool("huge", "1.2.3.0/24", "2.3.4.128/25", "1000::/64") with { AvoidBuggyIps = true });
        Assert.Null(allocator.Assign(Request("s1"), Ips("1000::1")));
        Assert.Equal((381L, long.MaxValue, 0, 1), Status(allocator, allocator.Config.ByName["huge"]));
    }

    [Fact]
    public void Counters_of_an_unknown_pool_are_zero()
    {
        var (allocator, _) = MetricsPool();
        Assert.Equal(default, allocator.Counters("nope"));
    }
}
