using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>MetalLB's TestAssignment (spec §6.2 cases 1–13) and the Assign rules of §3.5.</summary>
public sealed class AssignTests
{
    private static LoadBalancerConfig TestAssignmentPools() => Config(
        Pool("test", "1.2.3.4/31", "1000::4/127"),
        Pool("test2", "1.2.4.0/24", "1000::4:0/120") with { AvoidBuggyIps = true },
        Pool("test3", "1.2.5.0/24") with { Allocation = Restrict(namespaces: ["test-ns1"]) },
        Pool("test4", "1.2.6.0/24") with { Allocation = Restrict(selectors: ["team=metallb"]) },
        Pool("test5", "1.2.7.0/24") with { Allocation = Restrict(priority: 20, namespaces: ["test-ns1"], selectors: ["team=metallb"]) },
        Pool("test6", "1.2.8.0/24") with { Allocation = Restrict(priority: 20, namespaces: ["test-ns2"], selectors: ["foo=bar"]) });

    /// <summary>One step: Assign (or Unassign when Ips is empty) and the expected outcome.</summary>
    private sealed record Step(string Desc, string Svc, string[] Ips, bool WantError = false, string Sharing = "", string Backend = "",
        ServicePort[]? Ports = null, string Ns = "default", string[]? Labels = null)
    {
        public override string ToString() => Desc;
    }

    private static readonly Step[] Steps =
    [
        // 1
        new("s1 assigns 1.2.3.4", "s1", ["1.2.3.4"]),
        new("s1 assigns 1.2.3.4 again (idempotent)", "s1", ["1.2.3.4"]),

        // 2
        new("s2 cannot take s1's 1.2.3.4 (no sharing)", "s2", ["1.2.3.4"], WantError: true),
        new("s2 takes 1.2.3.5", "s2", ["1.2.3.5"]),

        // 3
        new("s1 frees its address", "s1", []),
        new("s2 moves to s1's former 1.2.3.4", "s2", ["1.2.3.4"]),
        new("s1 takes s2's former 1.2.3.5", "s1", ["1.2.3.5"]),

        // 4
        new("s3 cannot take buggy 1.2.4.0", "s3", ["1.2.4.0"], WantError: true),
        new("s3 cannot take buggy 1.2.4.255", "s3", ["1.2.4.255"], WantError: true),
        new("s3 takes 1.2.4.254", "s3", ["1.2.4.254"]),

        // 5
        new("s4 takes 1.2.4.3 sharing", "s4", ["1.2.4.3"], Sharing: "sharing", Backend: "backend", Ports: [Tcp(80)]),
        new("s4 changes its sharing key in place (sole user)", "s4", ["1.2.4.3"], Sharing: "share", Backend: "backend", Ports: [Tcp(80)]),

        // 6
        new("s3 cannot share 1.2.4.3: port TCP/80 collides", "s3", ["1.2.4.3"], WantError: true, Sharing: "share", Backend: "backend", Ports: [Tcp(80)]),
        new("s3 cannot share 1.2.4.3: sharing key differs", "s3", ["1.2.4.3"], WantError: true, Sharing: "othershare", Backend: "backend", Ports: [Tcp(443)]),
        new("s3 cannot share 1.2.4.3: backend key differs", "s3", ["1.2.4.3"], WantError: true, Sharing: "share", Backend: "otherbackend", Ports: [Tcp(443)]),
        new("s3 cannot share 1.2.4.3 without a sharing key", "s3", ["1.2.4.3"], WantError: true, Backend: "backend", Ports: [Tcp(443)]),
        new("s3 shares 1.2.4.3 with s4 on TCP/443", "s3", ["1.2.4.3"], Sharing: "share", Backend: "backend", Ports: [Tcp(443)]),

        // 7
        new("s3 changes its ports to UDP/53 on the shared address", "s3", ["1.2.4.3"], Sharing: "share", Backend: "backend", Ports: [Udp(53)]),
        new("UDP/80 does not collide with s4's TCP/80", "s3", ["1.2.4.3"], Sharing: "share", Backend: "backend", Ports: [Udp(80)]),
        new("s3 cannot change its sharing key while sharing", "s3", ["1.2.4.3"], WantError: true, Sharing: "othershare", Backend: "backend", Ports: [Udp(53)]),
        new("s3 cannot change its backend key while sharing", "s3", ["1.2.4.3"], WantError: true, Sharing: "share", Backend: "otherbackend", Ports: [Udp(53)]),

        // 8: the same for IPv6.
        new("s1 assigns 1000::4", "s1", ["1000::4"]),
        new("s1 assigns 1000::4 again (idempotent)", "s1", ["1000::4"]),
        new("s2 cannot take s1's 1000::4", "s2", ["1000::4"], WantError: true),
        new("s2 takes 1000::5", "s2", ["1000::5"]),
        new("s1 frees 1000::4", "s1", []),
        new("s2 moves to 1000::4", "s2", ["1000::4"]),
        new("s1 takes 1000::5", "s1", ["1000::5"]),
        new("avoidBuggyIPs does not apply to IPv6: s3 takes 1000::4:0", "s3", ["1000::4:0"]),
        new("s3 takes 1000::4:ff", "s3", ["1000::4:ff"]),
        new("s4 takes 1000::4:3 sharing", "s4", ["1000::4:3"], Sharing: "share", Backend: "backend", Ports: [Tcp(80)]),
        new("s3 cannot share 1000::4:3: port collides", "s3", ["1000::4:3"], WantError: true, Sharing: "share", Backend: "backend", Ports: [Tcp(80)]),
        new("s3 cannot share 1000::4:3: key differs", "s3", ["1000::4:3"], WantError: true, Sharing: "othershare", Backend: "backend", Ports: [Tcp(443)]),
        new("s3 cannot share 1000::4:3: backend differs", "s3", ["1000::4:3"], WantError: true, Sharing: "share", Backend: "otherbackend", Ports: [Tcp(443)]),
        new("s3 shares 1000::4:3", "s3", ["1000::4:3"], Sharing: "share", Backend: "backend", Ports: [Tcp(443)]),
        new("s3 moves to 1000::4:5 alone", "s3", ["1000::4:5"], Sharing: "share", Backend: "backend", Ports: [Tcp(443)]),

        // 9: dual stack from one pool only.
        new("s1 frees", "s1", []),
        new("s2 frees", "s2", []),
        new("s1 assigns dual {1.2.3.4, 1000::4} from test", "s1", ["1.2.3.4", "1000::4"]),
        new("s1 assigns dual in the other order", "s1", ["1000::4", "1.2.3.4"]),
        new("s2 cannot assign dual across pools {1.2.4.5 (test2), 1000::5 (test)}", "s2", ["1.2.4.5", "1000::5"], WantError: true),
        new("s2 cannot assign two IPv4 addresses", "s2", ["1.2.3.5", "1.2.4.5"], WantError: true),
        new("s2 cannot assign two of the same family from one pool", "s2", ["1.2.4.5", "1.2.4.6"], WantError: true),
        new("s2 cannot assign three addresses", "s2", ["1.2.3.5", "1000::5", "1.2.3.4"], WantError: true),
        new("s2 assigns dual {1.2.3.5, 1000::5}", "s2", ["1.2.3.5", "1000::5"]),
        new("s2 cannot assign an address outside every pool", "s2", ["9.9.9.9"], WantError: true),

        // 10: test3 is for namespace test-ns1.
        new("a test-ns1 service takes 1.2.5.10 from test3", "s5", ["1.2.5.10"], Ns: "test-ns1"),
        new("a service in another namespace cannot take 1.2.5.11", "s6", ["1.2.5.11"], WantError: true, Ns: "test-ns2"),

        // 11: test4 is for team=metallb.
        new("a team=metallb service takes 1.2.6.10 from test4", "s7", ["1.2.6.10"], Labels: ["team=metallb"]),
        new("a team=other service cannot take 1.2.6.11", "s8", ["1.2.6.11"], WantError: true, Labels: ["team=other"]),
        new("an unlabelled service cannot take 1.2.6.11", "s8", ["1.2.6.11"], WantError: true),

        // 12, 13: namespace and selector are ANDed.
        new("test-ns1 + team=metallb takes 1.2.7.10 from test5", "s9", ["1.2.7.10"], Ns: "test-ns1", Labels: ["team=metallb"]),
        new("test-ns1 without the label cannot take 1.2.7.11", "s10", ["1.2.7.11"], WantError: true, Ns: "test-ns1"),
        new("test6: right namespace, wrong label", "s11", ["1.2.8.10"], WantError: true, Ns: "test-ns2", Labels: ["team=metallb"]),
        new("test6: right label, wrong namespace", "s12", ["1.2.8.10"], WantError: true, Ns: "test-ns1", Labels: ["foo=bar"]),
        new("test6: right label, right namespace", "s13", ["1.2.8.10"], Ns: "test-ns2", Labels: ["foo=bar"]),
    ];

    [Fact]
    public void TestAssignment()
    {
        var config = TestAssignmentPools();
        var allocator = new Allocator();
        allocator.SetPools(config);
        var pools = config.Pools;
        foreach (var step in Steps)
        {
            var request = Request(step.Svc, step.Ns, step.Sharing, step.Backend, step.Ports, Labels(step.Labels ?? []));
            var before = allocator.Get(request.Key);
            if (step.Ips.Length == 0)
            {
                Assert.True(allocator.Unassign(request.Key), $"{step.Desc}: nothing to unassign");
                Assert.Null(allocator.Get(request.Key));
            }
            else
            {
                var error = allocator.Assign(request, Ips(step.Ips));
                if (step.WantError)
                {
                    Assert.True(error is not null, $"{step.Desc}: expected an error, got none");
                    Assert.True(ReferenceEquals(before, allocator.Get(request.Key)), $"{step.Desc}: a failed Assign changed the existing allocation");
                }
                else
                {
                    Assert.True(error is null, $"{step.Desc}: {error}");
                    Assert.Equal(step.Ips, allocator.Get(request.Key)!.Ips.Select(ip => ip.ToString()));
                    Assert.All(Ips(step.Ips), ip => Assert.Contains(request.Key, allocator.UsersOf(ip)));
                }
            }

            // The input configuration is never mutated, and the counters always equal a recount.
            Assert.Same(config, allocator.Config);
            Assert.Equal(pools, config.Pools);
            AssertConsistent(allocator, step.Desc);
        }
    }

    public sealed record ErrorCase(string Desc, Func<Allocator, string?> Act, string Contains)
    {
        public override string ToString() => Desc;
    }

    // The messages of §3.10 (paraphrased in the spec; we keep MetalLB's wording where it is known).
    public static TheoryData<ErrorCase> ErrorCases =>
    [
        new ErrorCase("outside every pool", a => a.Assign(Request("s"), Ips("9.9.9.9")), "[\"9.9.9.9\"] is not allowed in config"),
        new ErrorCase("pool not compatible", a => a.Assign(Request("s"), Ips("1.2.5.1")), "pool test3 not compatible for ip assignment"),
        new ErrorCase("address in use by a non-sharing service", a =>
        {
            a.Assign(Request("owner"), Ips("1.2.3.4"));
            return a.Assign(Request("s"), Ips("1.2.3.4"));
        }, "address also in use by default/owner"),
        new ErrorCase("port collision on a shared address", a =>
        {
            a.Assign(Request("owner", sharing: "k", ports: [Tcp(80)]), Ips("1.2.3.4"));
            return a.Assign(Request("s", sharing: "k", ports: [Tcp(80)]), Ips("1.2.3.4"));
        }, "port TCP/80 is already in use on \"1.2.3.4\""),
        new ErrorCase("two of one family", a => a.Assign(Request("s"), Ips("1.2.3.4", "1.2.3.5")), "same family"),
        new ErrorCase("buggy address is not in the pool", a => a.Assign(Request("s"), Ips("1.2.4.255")), "[\"1.2.4.255\"] is not allowed in config"),
    ];

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Assign_errors_say_why(ErrorCase c)
    {
        var allocator = new Allocator();
        allocator.SetPools(TestAssignmentPools());
        var error = c.Act(allocator);
        Assert.NotNull(error);
        Assert.Contains(c.Contains, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_assigner_keys_describe_a_shared_address()
    {
        // s1 and s2 share with key "k"; when s1 leaves, s2's keys alone describe the address, so a newcomer needs them.
        var allocator = AllocatorWith(Pool("p", "1.2.3.4/32"));
        Assert.Null(allocator.Assign(Request("s1", sharing: "k", ports: [Tcp(80)]), Ips("1.2.3.4")));
        Assert.Null(allocator.Assign(Request("s2", sharing: "k", ports: [Tcp(443)]), Ips("1.2.3.4")));
        Assert.True(allocator.Unassign(new ServiceKey("default", "s1")));
        Assert.NotNull(allocator.Assign(Request("s3", sharing: "other", ports: [Tcp(80)]), Ips("1.2.3.4")));
        Assert.Null(allocator.Assign(Request("s3", sharing: "k", ports: [Tcp(80)]), Ips("1.2.3.4")));
        AssertConsistent(allocator, "after s3 joined");
    }

    [Fact]
    public void A_sole_user_may_change_keys_and_ports_in_place()
    {
        var allocator = AllocatorWith(Pool("p", "1.2.3.4/32"));
        Assert.Null(allocator.Assign(Request("s1", sharing: "k", backend: "b", ports: [Tcp(80)]), Ips("1.2.3.4")));
        Assert.Null(allocator.Assign(Request("s1", ports: [Udp(53)]), Ips("1.2.3.4")));
        var allocation = allocator.Get(new ServiceKey("default", "s1"))!;
        Assert.Equal("", allocation.SharingKey);
        Assert.Equal([Udp(53)], allocation.Ports);

        // Now it does not share, so a newcomer with "k" is refused.
        Assert.NotNull(allocator.Assign(Request("s2", sharing: "k", ports: [Tcp(443)]), Ips("1.2.3.4")));
    }

    [Fact]
    public void Unassign_of_an_unknown_service_is_false()
    {
        var allocator = AllocatorWith(Pool("p", "1.2.3.4/32"));
        Assert.False(allocator.Unassign(new ServiceKey("default", "nobody")));
    }

    [Fact]
    public void PoolFor_prefers_the_named_pool_then_the_first_by_name()
    {
        // Overlapping pools can only be built directly (the parser rejects them); MetalLB picks by map order, we by name.
        var allocator = AllocatorWith(Pool("b", "1.2.3.0/24"), Pool("a", "1.2.3.0/30"), Pool("c", "1.2.3.0/24", "1000::/64"));
        Assert.Equal("a", allocator.PoolFor(Ips("1.2.3.1"))!.Name);
        Assert.Equal("b", allocator.PoolFor(Ips("1.2.3.200"))!.Name);
        Assert.Equal("c", allocator.PoolFor(Ips("1.2.3.1"), "c")!.Name);
        Assert.Equal("a", allocator.PoolFor(Ips("1.2.3.1"), "missing")!.Name);
        Assert.Equal("c", allocator.PoolFor(Ips("1.2.3.1", "1000::1"))!.Name);
        Assert.Null(allocator.PoolFor(Ips("9.9.9.9")));
        Assert.Null(allocator.PoolFor([]));
    }

    [Fact]
    public void Requests_carry_labels_for_compatibility()
    {
        var allocator = new Allocator();
        allocator.SetPools(TestAssignmentPools());
        var labelled = Request("s", labels: ImmutableDictionary<string, string>.Empty.Add("team", "metallb"));
        Assert.Null(allocator.Assign(labelled, Ips("1.2.6.1")));
        Assert.Equal("test4", allocator.Get(labelled.Key)!.Pool);
    }
}
