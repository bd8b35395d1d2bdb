using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>
/// MetalLB's TestControllerMutation (spec §6.2 cases 30–58): each case converges one Service on a fresh allocator,
/// then converges the updated Service again to show the result is stable.
/// </summary>
public sealed class ConvergeTests
{
    // The pools overlap on purpose (pool5 overlaps pool1 and pool3), as in MetalLB's test; only a directly built
    // configuration can do that. Where MetalLB would pick pool1 or pool5 at random we pick by name (pool1).
    private static AddressPool[] MutationPools =>
    [
        Pool("pool1", "1.2.3.0/31"),
        Pool("pool2", "3.4.5.6/32") with { AutoAssign = false },
        Pool("pool3", "1000::/127"),
        Pool("pool4", "2000::1/128") with { AutoAssign = false },
        Pool("pool5", "1.2.3.0/31", "1000::/127"),
        Pool("pool6", "7.8.9.0/24") with { Allocation = Restrict(priority: 10, namespaces: ["test-ns1"]) },
        Pool("pool7", "10.11.12.0/24") with { Allocation = Restrict(priority: 11, namespaces: ["test-ns1"]) },
        Pool("pool8", "13.14.15.0/24") with { Allocation = Restrict(priority: 9, selectors: ["team=metallb"]) },
        Pool("pool9", "16.17.18.0/24") with { Allocation = Restrict(namespaces: ["test-ns2"]) },
        Pool("pool10", "19.20.21.0/24") with { Allocation = Restrict(priority: 8, selectors: ["team=metallb"]) },
        Pool("pool11", "22.23.24.0/24") with { Allocation = Restrict(priority: 8, namespaces: ["test-ns2"], selectors: ["team=metallb"]) },
        Pool("pool12", "25.26.27.0/24") with { Allocation = Restrict(priority: 5, namespaces: ["test-ns1"], selectors: ["team=metallb"]) },
    ];

    internal static ServiceView Lb(params string[] clusterIps) =>
        new() { Key = new ServiceKey("default", "test"), ClusterIps = [.. clusterIps.Length == 0 ? ["1.2.3.4"] : clusterIps] };

    internal static ImmutableDictionary<string, string> Ann(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToImmutableDictionary(p => p[0], p => p[1]);

    private const string LbIps = ServiceAnnotations.LoadBalancerIps;
    private const string AddressPool = ServiceAnnotations.AddressPool;
    private const string FromPool = ServiceAnnotations.IpAllocatedFromPool;
    private static readonly ImmutableArray<string> Dual = ["1.2.3.4", "3000::1"];

    /// <param name="Desc">What the case shows.</param>
    /// <param name="In">The Service as the controller sees it.</param>
    /// <param name="Ingress">The expected status.loadBalancer.ingress IPs.</param>
    /// <param name="Pool">The expected ip-allocated-from-pool annotation.</param>
    /// <param name="Warning">Whether a Warning event is expected.</param>
    /// <param name="Reasons">When given, the exact event reasons in order.</param>
    /// <param name="Pools">The pools; null means MetalLB's TestControllerMutation pools above.</param>
    public sealed record MutationCase(string Desc, ServiceView In, string[] Ingress, string? Pool, bool Warning, string[]? Reasons = null, AddressPool[]? Pools = null)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<MutationCase> Cases =>
    [
        // 30
        new MutationCase("30 ClusterIP service is untouched", Lb() with { Type = "ClusterIP" }, [], null, false, []),

        // 31: pool1 and pool5 both start at 1.2.3.0; MetalLB picks one at random, we pick pool1 (name order).
        new MutationCase("31 plain LoadBalancer", Lb(), ["1.2.3.0"], "pool1", false, [EventReasons.IpAllocated]),

        // 32
        new MutationCase("32 spec.loadBalancerIP", Lb() with { LoadBalancerIp = "1.2.3.1" }, ["1.2.3.1"], "pool1", false),
        new MutationCase("32 loadBalancerIPs annotation", Lb() with { Annotations = Ann($"{LbIps}=1.2.3.1") }, ["1.2.3.1"], "pool1", false),
        new MutationCase("32 loadBalancerIPs annotation with spaces", Lb() with { Annotations = Ann($"{LbIps}= 1.2.3.1 ") }, ["1.2.3.1"], "pool1", false),
        new MutationCase("32 legacy loadBalancerIPs annotation works and warns", Lb() with { Annotations = Ann("metallb.universe.tf/loadBalancerIPs=1.2.3.1") },
            ["1.2.3.1"], "pool1", true, [EventReasons.DeprecatedAnnotation, EventReasons.IpAllocated]),

        // 33, 34, 35, 36
        new MutationCase("33 field and annotation together", Lb() with { LoadBalancerIp = "1.2.3.1", Annotations = Ann($"{LbIps}=1.2.3.1") }, [], null, true,
            [EventReasons.AllocationFailed]),
        new MutationCase("34 unparsable spec.loadBalancerIP", Lb() with { LoadBalancerIp = "1.2.3.x" }, [], null, true),
        new MutationCase("34 unparsable annotation", Lb() with { Annotations = Ann($"{LbIps}=1.2.3.1,oops") }, [], null, true),
        new MutationCase("35 two addresses of one family", Lb() with { Annotations = Ann($"{LbIps}=1.2.3.1,1.2.3.2") }, [], null, true),
        new MutationCase("35 three addresses", Lb(Dual.ToArray()) with { Annotations = Ann($"{LbIps}=1.2.3.1,1000::1,1.2.3.0") }, [], null, true),
        new MutationCase("36 requested IP outside the requested pool", Lb() with { Annotations = Ann($"{LbIps}=1.2.3.1", $"{AddressPool}=pool2") }, [], null, true),

        // 37
        new MutationCase("37 status holds 1.2.3.1 but the field asks for 1.2.3.4 (in no pool)",
            Lb() with { IngressIps = ["1.2.3.1"], LoadBalancerIp = "1.2.3.4", Annotations = Ann($"{FromPool}=pool1") }, [], null, true),
        new MutationCase("37 status holds 1.2.3.1, the field asks for 1.2.3.0: moved",
            Lb() with { IngressIps = ["1.2.3.1"], LoadBalancerIp = "1.2.3.0", Annotations = Ann($"{FromPool}=pool1") }, ["1.2.3.0"], "pool1", false),

        // 38, 39
        new MutationCase("38 address-pool pool1", Lb() with { Annotations = Ann($"{AddressPool}=pool1") }, ["1.2.3.0"], "pool1", false),
        new MutationCase("38 switching address-pool to pool2 moves 1.2.3.0 to 3.4.5.6",
            Lb() with { IngressIps = ["1.2.3.0"], Annotations = Ann($"{AddressPool}=pool2", $"{FromPool}=pool1") }, ["3.4.5.6"], "pool2", false),
        new MutationCase("38 legacy address-pool works and warns", Lb() with { Annotations = Ann("metallb.universe.tf/address-pool=pool2") },
            ["3.4.5.6"], "pool2", true, [EventReasons.DeprecatedAnnotation, EventReasons.IpAllocated]),
        new MutationCase("38 the current address-pool key wins over the legacy one",
            Lb() with { Annotations = Ann($"{AddressPool}=pool2", "metallb.universe.tf/address-pool=pool1") }, ["3.4.5.6"], "pool2", true),
        new MutationCase("39 address-pool names an unknown pool", Lb() with { Annotations = Ann($"{AddressPool}=does-not-exist") }, [], null, true),

        // 40, 41, 42
        new MutationCase("40 status address in no pool is replaced", Lb() with { IngressIps = ["2.3.4.5"] }, ["1.2.3.0"], "pool1", false,
            [EventReasons.ClearAssignment, EventReasons.IpAllocated]),
        new MutationCase("41 hostname entry is skipped, the foreign IP replaced", Lb() with { IngressIps = ["", "10.10.10.10"] }, ["1.2.3.0"], "pool1", false),
        new MutationCase("42 NodePort service loses its status", Lb() with { Type = "NodePort", IngressIps = ["1.2.3.0"], Annotations = Ann($"{FromPool}=pool1") },
            [], null, false, []),

        // 43, 44
        new MutationCase("43 spec.loadBalancerIP from an autoAssign: false pool", Lb() with { LoadBalancerIp = "3.4.5.6" }, ["3.4.5.6"], "pool2", false),
        new MutationCase("43 the same with externalTrafficPolicy Local",
            Lb() with { LoadBalancerIp = "3.4.5.6", ExternalTrafficPolicyLocal = true, Selector = Labels("app=x") }, ["3.4.5.6"], "pool2", false),
        new MutationCase("44 no clusterIP: no change and no warning", Lb() with { ClusterIps = [] }, [], null, false, []),

        // 45, 46
        new MutationCase("45 IPv4 requested for an IPv6 clusterIP", Lb("1000::1") with { LoadBalancerIp = "1.2.3.0" }, [], null, true),
        new MutationCase("45 IPv6 requested for an IPv4 clusterIP", Lb() with { LoadBalancerIp = "1000::" }, [], null, true),
        new MutationCase("46 status of the wrong family (IPv6 for IPv4) is replaced", Lb() with { IngressIps = ["1000::"] }, ["1.2.3.0"], "pool1", false),

        // pool3 and pool5 both offer 1000::; by name pool3 (MetalLB: random).
        new MutationCase("46 status of the wrong family (IPv4 for IPv6) is replaced", Lb("1000::1") with { IngressIps = ["1.2.3.0"] }, ["1000::"], "pool3", false),

        // 47
        new MutationCase("47 RequireDualStack gets both from the dual pool5",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack }, ["1.2.3.0", "1000::"], "pool5", false),
        new MutationCase("47 RequireDualStack with address-pool pool5",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, Annotations = Ann($"{AddressPool}=pool5") }, ["1.2.3.0", "1000::"], "pool5", false),
        new MutationCase("47 PreferDualStack with dual clusterIPs gets both from pool5",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack }, ["1.2.3.0", "1000::"], "pool5", false),
        new MutationCase("47 RequireDualStack with an IPv6-first clusterIPs still lists IPv4 first",
            Lb("3000::1", "1.2.3.4") with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, IpFamilies = ["IPv6", "IPv4"] }, ["1.2.3.0", "1000::"], "pool5", false),

        // 48, 49, 50
        new MutationCase("48 PreferDualStack, single clusterIP, test-ns1: pool6 (priority 10 beats 11)",
            Lb() with { Key = new("test-ns1", "test"), IpFamilyPolicy = IpFamilyPolicy.PreferDualStack }, ["7.8.9.0"], "pool6", false),
        new MutationCase("49 PreferDualStack from IPv4-only pool1 gets one IPv4",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack, Annotations = Ann($"{AddressPool}=pool1") }, ["1.2.3.0"], "pool1", false),
        new MutationCase("49 PreferDualStack from IPv6-only pool3 with an IPv6 clusterIP gets one IPv6",
            Lb("1000::1") with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack, Annotations = Ann($"{AddressPool}=pool3") }, ["1000::"], "pool3", false),

        // §8.2 (deliberate): the "additional IP" step runs only when clusterIPs are dual, so the second converge does not
        // add 1000:: here (MetalLB adds it, then clears the pair on the next sync).
        new MutationCase("50 PreferDualStack, dual pool5, single-stack clusterIP: only 1.2.3.0, and it stays so",
            Lb() with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack, Annotations = Ann($"{AddressPool}=pool5") }, ["1.2.3.0"], "pool5", false),

        new MutationCase("50 §8.2: holding one address of dual pool5 with a single-stack clusterIP, PreferDualStack adds nothing",
            Lb() with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack, IngressIps = ["1.2.3.0"], Annotations = Ann($"{FromPool}=pool5") }, ["1.2.3.0"], "pool5", false, []),

        // 51, 52, 53, 54
        new MutationCase("51 RequireDualStack with a single clusterIP", Lb() with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack }, [], null, true,
            [EventReasons.NotEnoughClusterIps]),
        new MutationCase("52 dual clusterIPs with one requested IP (field)",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, LoadBalancerIp = "1.2.3.0" }, [], null, true),
        new MutationCase("52 dual clusterIPs with one requested IP (annotation)",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, Annotations = Ann($"{LbIps}=1.2.3.0") }, [], null, true),
        new MutationCase("53 two requested IPs with dual clusterIPs",
            Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, Annotations = Ann($"{LbIps}=1.2.3.0,1000::") }, ["1.2.3.0", "1000::"], "pool5", false),
        new MutationCase("53 requested order is kept", Lb(Dual.ToArray()) with { IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, Annotations = Ann($"{LbIps}=1000::,1.2.3.0") },
            ["1000::", "1.2.3.0"], "pool5", false),
        new MutationCase("54 two requested IPs with a single-stack clusterIP", Lb() with { Annotations = Ann($"{LbIps}=1.2.3.0,1000::") }, [], null, true),

        // 55, 56, 57
        new MutationCase("55 test-ns1 without labels: pool6", Lb() with { Key = new("test-ns1", "test") }, ["7.8.9.0"], "pool6", false),
        new MutationCase("55 test-ns2 without labels: pool9", Lb() with { Key = new("test-ns2", "test") }, ["16.17.18.0"], "pool9", false),
        new MutationCase("56 team=metallb in default: pool10 (priority 8 beats pool8's 9)", Lb() with { Labels = Labels("team=metallb") }, ["19.20.21.0"], "pool10", false),
        new MutationCase("57 test-ns1 with team=metallb: pool12 (priority 5)", Lb() with { Key = new("test-ns1", "test"), Labels = Labels("team=metallb") },
            ["25.26.27.0"], "pool12", false),

        // 58
        new MutationCase("58 three status IPs: warning and re-allocation", Lb() with { IngressIps = ["1.2.3.0", "1.2.3.1", "1000::"] }, ["1.2.3.0"], "pool1", true,
            [EventReasons.NoLbIpsIpFamily, EventReasons.IpAllocated]),

        // §2.1: the current key wins when present, even empty.
        new MutationCase("an empty current loadBalancerIPs hides the legacy one",
            Lb() with { Annotations = Ann($"{LbIps}=", "metallb.universe.tf/loadBalancerIPs=3.4.5.6") }, ["1.2.3.0"], "pool1", true,
            [EventReasons.DeprecatedAnnotation, EventReasons.IpAllocated]),
        new MutationCase("a trailing comma in loadBalancerIPs is invalid", Lb() with { Annotations = Ann($"{LbIps}=1.2.3.1,") }, [], null, true),
        new MutationCase("IPv4-mapped requested IP is IPv4", Lb() with { LoadBalancerIp = "::ffff:1.2.3.1" }, ["1.2.3.1"], "pool1", false),
        new MutationCase("type null means ClusterIP", Lb() with { Type = null, IngressIps = ["1.2.3.0"] }, [], null, false, []),
        new MutationCase("two clusterIPs of one family cannot allocate", Lb("1.2.3.4", "1.2.3.5"), [], null, true),
        new MutationCase("clusterIPs shrink from dual to single: the pair is replaced by one address",
            Lb() with { IngressIps = ["1.2.3.0", "1000::"], Annotations = Ann($"{FromPool}=pool5") }, ["1.2.3.0"], "pool1", false),

        new MutationCase("non-canonical IPv6 status text is rewritten canonically", Lb("1000::1") with { IngressIps = ["1000:0:0::"], Annotations = Ann($"{FromPool}=pool3") },
            ["1000::"], "pool3", false, []),
        new MutationCase("IPv4-mapped status text is rewritten as IPv4", Lb() with { IngressIps = ["::ffff:1.2.3.1"], Annotations = Ann($"{FromPool}=pool1") },
            ["1.2.3.1"], "pool1", false, []),
        new MutationCase("RequireDualStack with one clusterIP clears an existing status", Lb() with
            {
                IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, IngressIps = ["1.2.3.0"], Annotations = Ann($"{FromPool}=pool1"),
            }, [], null, true, [EventReasons.NotEnoughClusterIps]),

        // More of §3.2.
        new MutationCase("unparsable request while holding an address: kept, LoadBalancerFailed",
            Lb() with { IngressIps = ["1.2.3.0"], Annotations = Ann($"{LbIps}=garbage", $"{FromPool}=pool1") }, ["1.2.3.0"], "pool1", true,
            [EventReasons.LoadBalancerFailed]),
        new MutationCase("unparsable clusterIP while holding an address: kept, noclusterIPsIPFamily",
            Lb("None") with { IngressIps = ["1.2.3.0"], Annotations = Ann($"{FromPool}=pool1") }, ["1.2.3.0"], "pool1", true,
            [EventReasons.NoClusterIpsIpFamily]),
        new MutationCase("an existing valid assignment is kept silently", Lb() with { IngressIps = ["1.2.3.1"], Annotations = Ann($"{FromPool}=pool1") },
            ["1.2.3.1"], "pool1", false, []),
        new MutationCase("a missing ip-allocated-from-pool annotation is written back", Lb() with { IngressIps = ["1.2.3.1"] }, ["1.2.3.1"], "pool1", false, []),
        new MutationCase("removing the request annotation does not move the service", Lb() with { IngressIps = ["1.2.3.1"], Annotations = Ann($"{FromPool}=pool1") },
            ["1.2.3.1"], "pool1", false),
        new MutationCase("the requested IPs in another order are the same request",
            Lb(Dual.ToArray()) with { IngressIps = ["1.2.3.0", "1000::"], IpFamilyPolicy = IpFamilyPolicy.RequireDualStack, Annotations = Ann($"{LbIps}=1000::,1.2.3.0", $"{FromPool}=pool5") },
            ["1.2.3.0", "1000::"], "pool5", false, []),
        new MutationCase("a status address of an incompatible pool is cleared and replaced",
            Lb() with { IngressIps = ["7.8.9.5"], Annotations = Ann($"{FromPool}=pool6") }, ["1.2.3.0"], "pool1", false,
            [EventReasons.ClearAssignment, EventReasons.IpAllocated]),
        new MutationCase("a requested IP of an incompatible pool fails", Lb() with { LoadBalancerIp = "25.26.27.1" }, [], null, true),
        new MutationCase("a requested IP that is a buggy address of an avoidBuggyIPs pool fails",
            Lb() with { LoadBalancerIp = "40.0.0.255" }, [], null, true, Pools: [Pool("buggy", "40.0.0.0/24") with { AvoidBuggyIps = true }]),
        new MutationCase("a requested IP next to it is fine",
            Lb() with { LoadBalancerIp = "40.0.0.254" }, ["40.0.0.254"], "buggy", false, Pools: [Pool("buggy", "40.0.0.0/24") with { AvoidBuggyIps = true }]),
    ];

    private static Allocator FreshAllocator(AddressPool[]? pools = null) => AllocatorWith(pools ?? MutationPools);

    /// <summary>The Service after the controller wrote the converge result (status and pool annotation).</summary>
    internal static ServiceView Apply(ServiceView service, ConvergeResult result) => service with
    {
        IngressIps = result.Ingress,
        Annotations = result.PoolAnnotation is null
            ? service.Annotations.Remove(FromPool)
            : service.Annotations.SetItem(FromPool, result.PoolAnnotation),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TestControllerMutation(MutationCase c)
    {
        var allocator = FreshAllocator(c.Pools);
        var result = ServiceConverger.Converge(c.In, allocator);
        var events = string.Join("; ", result.Events.Select(e => $"{e.Type} {e.Reason}: {e.Message}"));

        Assert.True(c.Ingress.SequenceEqual(result.Ingress), $"{c.Desc}: ingress [{string.Join(",", result.Ingress)}], events: {events}");
        Assert.True(c.Pool == result.PoolAnnotation, $"{c.Desc}: pool {result.PoolAnnotation ?? "(none)"}, events: {events}");
        Assert.True(c.Warning == result.Events.Any(e => e.Type == EventType.Warning), $"{c.Desc}: events: {events}");
        if (c.Reasons is not null)
        {
            Assert.Equal(c.Reasons, result.Events.Select(e => e.Reason));
        }

        Assert.Equal(!c.In.IngressIps.SequenceEqual(result.Ingress) || c.In.Annotations.GetValueOrDefault(FromPool) != result.PoolAnnotation, result.Changed);

        // The allocator agrees with what is written. (Not on the noclusterIPsIPFamily failure: like MetalLB it keeps the
        // status without re-asserting it, so the allocator does not hold those addresses.)
        var held = allocator.Get(c.In.Key);
        Assert.True(held is not null || result.Ingress.IsEmpty || !result.Succeeded, $"{c.Desc}: status written but nothing held");
        if (result.Succeeded || held is not null)
        {
            Assert.Equal(result.Ingress.Where(s => s.Length > 0).Order(StringComparer.Ordinal), (held?.Ips.Select(ip => ip.ToString()) ?? []).Order(StringComparer.Ordinal));
        }

        if (held is not null)
        {
            Assert.Equal(held.Pool, result.PoolAnnotation);
        }

        AssertConsistent(allocator, c.Desc);

        // Idempotent: converging the written Service again changes nothing and allocates or clears nothing.
        var again = ServiceConverger.Converge(Apply(c.In, result), allocator);
        var againEvents = string.Join("; ", again.Events.Select(e => $"{e.Type} {e.Reason}: {e.Message}"));
        Assert.True(!again.Changed, $"{c.Desc}: the second converge changed the Service to [{string.Join(",", again.Ingress)}] {again.PoolAnnotation}; events: {againEvents}");
        Assert.Equal(result.Ingress, again.Ingress);
        Assert.Equal(result.PoolAnnotation, again.PoolAnnotation);
        Assert.Equal(result.Succeeded, again.Succeeded);
        Assert.DoesNotContain(again.Events, e => e.Reason is EventReasons.IpAllocated or EventReasons.ClearAssignment or EventReasons.DeprecatedAnnotation);
        if (result.Succeeded)
        {
            Assert.True(again.Events.All(e => e.Type == EventType.Normal), $"{c.Desc}: second converge warned: {againEvents}");
        }
    }

    [Fact]
    public void Event_messages_follow_MetalLB()
    {
        var allocator = FreshAllocator();
        var ok = ServiceConverger.Converge(Lb(), allocator);
        Assert.Equal(new ServiceEvent(EventType.Normal, EventReasons.IpAllocated, "Assigned IP [\"1.2.3.0\"]"), Assert.Single(ok.Events));

        var failed = ServiceConverger.Converge(Lb() with { Key = new("ns", "other"), Annotations = Ann($"{AddressPool}=nope") }, allocator);
        var warning = Assert.Single(failed.Events);
        Assert.Equal(EventType.Warning, warning.Type);
        Assert.Equal(EventReasons.AllocationFailed, warning.Reason);
        Assert.StartsWith("Failed to allocate IP for \"ns/other\": ", warning.Message, StringComparison.Ordinal);
        Assert.Contains("unknown pool \"nope\"", warning.Message, StringComparison.Ordinal);
        Assert.False(failed.Succeeded);
    }

    [Fact]
    public void No_pools_clears_every_service_without_an_event()
    {
        var allocator = new Allocator();
        var result = ServiceConverger.Converge(Lb() with { IngressIps = ["1.2.3.0"], Annotations = Ann($"{FromPool}=pool1") }, allocator);
        Assert.False(result.Succeeded);
        Assert.Empty(result.Ingress);
        Assert.Null(result.PoolAnnotation);
        Assert.True(result.Changed);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void An_empty_pool_annotation_is_treated_as_absent_as_an_empty_current_key_hides_the_legacy_one()
    {
        // MetalLB tests desiredPool != "": an empty metallb.io/address-pool means "no pool", and as the current key is
        // present it also hides the legacy key (§2.1).
        var allocator = FreshAllocator();
        var result = ServiceConverger.Converge(Lb() with { Annotations = Ann($"{AddressPool}=", "metallb.universe.tf/address-pool=pool2") }, allocator);
        Assert.Equal(["1.2.3.0"], result.Ingress);
    }

    // Found by AllocationProperties. §3.3: a dual-stack Service must request two IPs. Holding one requested IP, step 8 adds
    // the other family; the next converge sees held ≠ requested (7d), clears, and fails to allocate: it flaps
    // (MetalLB flaps the same way). Converge must be idempotent (issue 2): e.g. skip step 8 when IPs are requested.
    [Fact]
    public void Single_requested_IP_on_a_dual_PreferDualStack_service_is_stable()
    {
        var allocator = AllocatorWith(Pool("p", "10.0.0.0/31", "fd00::/127"));
        var svc = Lb("10.96.0.1", "fd96::1") with
        {
            IpFamilyPolicy = IpFamilyPolicy.PreferDualStack,
            IngressIps = ["fd00::1"],
            Annotations = Ann($"{LbIps}=fd00::1", $"{FromPool}=p"),
        };
        var first = ServiceConverger.Converge(svc, allocator);
        var second = ServiceConverger.Converge(Apply(svc, first), allocator);
        Assert.False(second.Changed, $"first [{string.Join(",", first.Ingress)}], second [{string.Join(",", second.Ingress)}]");
    }

    [Fact]
    public void Empty_sharing_key_means_no_sharing()
    {
        var allocator = AllocatorWith(Pool("p", "1.2.3.0/32"));
        var first = ServiceConverger.Converge(Lb() with { Key = new("default", "a"), Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}="), Ports = [Tcp(80)] }, allocator);
        Assert.Equal(["1.2.3.0"], first.Ingress);
        var second = ServiceConverger.Converge(Lb() with { Key = new("default", "b"), Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}="), Ports = [Tcp(443)] }, allocator);
        Assert.Empty(second.Ingress);
    }

    [Fact]
    public void Services_with_the_same_key_and_free_ports_share_an_address()
    {
        var allocator = AllocatorWith(Pool("p", "1.2.3.0/31"));
        ServiceView Svc(string name, string key, params ServicePort[] ports) =>
            Lb() with { Key = new("default", name), Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}={key}"), Ports = [.. ports] };

        Assert.Equal(["1.2.3.0"], ServiceConverger.Converge(Svc("web", "k", Tcp(80)), allocator).Ingress);
        Assert.Equal(["1.2.3.0"], ServiceConverger.Converge(Svc("dns", "k", Udp(53), Tcp(53)), allocator).Ingress);
        Assert.Equal(["1.2.3.1"], ServiceConverger.Converge(Svc("web2", "k", Tcp(80)), allocator).Ingress);
        Assert.Empty(ServiceConverger.Converge(Svc("other", "j", Tcp(8080)), allocator).Ingress);

        // The legacy sharing key works too.
        var legacy = Lb() with { Key = new("default", "legacy"), Annotations = Ann("metallb.universe.tf/allow-shared-ip=k"), Ports = [Tcp(8443)] };
        var result = ServiceConverger.Converge(legacy, allocator);
        Assert.Equal(["1.2.3.0"], result.Ingress);
        Assert.Contains(result.Events, e => e.Reason == EventReasons.DeprecatedAnnotation);
        AssertConsistent(allocator, "after sharing");
    }

    [Fact]
    public void Backend_key_is_the_sorted_selector_for_ETP_Local_only()
    {
        var local = Lb() with { ExternalTrafficPolicyLocal = true, Selector = Labels("b=2", "a=1") };
        Assert.Equal("a=1,b=2", ServiceConverger.RequestFor(local).BackendKey);
        Assert.Equal("", ServiceConverger.RequestFor(local with { ExternalTrafficPolicyLocal = false }).BackendKey);

        // Quirk (§3.5): a Local service with an empty selector has backend key "" and may share with Cluster services.
        Assert.Equal("", ServiceConverger.RequestFor(Lb() with { ExternalTrafficPolicyLocal = true }).BackendKey);
        var allocator = AllocatorWith(Pool("p", "1.2.3.0/32"));
        var cluster = Lb() with { Key = new("default", "cluster"), Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}=k"), Ports = [Tcp(80)] };
        var localEmpty = cluster with { Key = new("default", "local"), ExternalTrafficPolicyLocal = true, Ports = [Tcp(81)] };
        Assert.Equal(["1.2.3.0"], ServiceConverger.Converge(cluster, allocator).Ingress);
        Assert.Equal(["1.2.3.0"], ServiceConverger.Converge(localEmpty, allocator).Ingress);
        var localSelector = localEmpty with { Key = new("default", "local2"), Selector = Labels("app=x"), Ports = [Tcp(82)] };
        Assert.Empty(ServiceConverger.Converge(localSelector, allocator).Ingress);
    }
}
