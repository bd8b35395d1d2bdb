using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;

namespace IronLb.Core.Tests.Planning;

/// <summary>
/// suggest's IPv4 choice: MetalLB's lowest free address, except a written subnet's network and broadcast
/// addresses (IPv4 /30 and shorter; a /31 and a /32 have none, and a range's pieces are not subnets), which
/// are offered only when nothing else is free. avoidBuggyIPs still removes every .0 and .255.
/// </summary>
public sealed class SuggestTests
{
    public sealed record Row(string Desc, string[] Addresses, string[] Used, string? Expected, bool AvoidBuggyIps = false)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<Row> Rows =>
    [
        new Row("a /16 skips its network address", ["10.1.0.0/16"], [], "10.1.0.1"),
        new Row("a /24 skips its network address", ["192.0.2.0/24"], [], "192.0.2.1"),
        new Row("lowest free after used ones", ["192.0.2.0/24"], ["192.0.2.1", "192.0.2.2"], "192.0.2.3"),
        new Row("a /30 offers its two middle addresses", ["192.0.2.4/30"], ["192.0.2.5"], "192.0.2.6"),
        new Row("a full /30 offers its ends rather than nothing", ["192.0.2.4/30"], ["192.0.2.5", "192.0.2.6"], "192.0.2.4"),
        new Row("a /31 has no network or broadcast address (RFC 3021)", ["192.0.2.8/31"], [], "192.0.2.8"),
        new Row("a /32 is one usable address", ["192.0.2.9/32"], [], "192.0.2.9"),
        new Row("a range's pieces are not subnets", ["192.0.2.0-192.0.2.10"], [], "192.0.2.0"),
        new Row("the next prefix in spec order", ["192.0.2.12/30", "192.0.2.16/30"], ["192.0.2.13", "192.0.2.14"], "192.0.2.17"),
        new Row("the broadcast address is skipped too", ["192.0.2.0/30", "192.0.2.8/32"], ["192.0.2.1", "192.0.2.2"], "192.0.2.8"),
        new Row("avoidBuggyIPs removes .0 of a range", ["192.0.2.0-192.0.2.5"], [], "192.0.2.1", AvoidBuggyIps: true),
        new Row("avoidBuggyIPs inside a /23: .255 and .0 in the middle are skipped", ["192.0.2.0/23"], ["192.0.2.1", .. Enumerable.Range(2, 253).Select(i => $"192.0.2.{i}")], "192.0.3.1", AvoidBuggyIps: true),
        new Row("full pool", ["192.0.2.9/32"], ["192.0.2.9"], null),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Suggests_the_lowest_free_ipv4_that_is_not_a_network_or_broadcast_address(Row row)
    {
        var pool = new IpAddressPoolResource
        {
            Ref = new ObjectRef("IPAddressPool", "metallb-system", "p"),
            Addresses = [.. row.Addresses],
            AutoAssign = false,
            AvoidBuggyIps = row.AvoidBuggyIps,
        };
        var services = row.Used.Select((ip, i) => new ServiceView
        {
            Key = new ServiceKey("ns", $"s{i}"),
            ClusterIps = ["10.96.0.1"],
            Annotations = ImmutableDictionary<string, string>.Empty.Add(ServiceAnnotations.LoadBalancerIps, ip),
        });
        var input = new PlanInput { Resources = new ClusterResources { Pools = [pool] }, Services = [.. services] };

        var result = ClusterPlanner.Suggest(input, "p", SuggestFamily.IPv4, new Random(1));

        if (row.Expected is null)
        {
            Assert.Equal(SuggestOutcome.PoolFull, result.Outcome);
        }
        else
        {
            Assert.Equal(SuggestOutcome.Ok, result.Outcome);
            Assert.Equal([row.Expected], result.Ips);
        }
    }

    [Fact]
    public void An_unknown_pool_names_the_pools_that_exist()
    {
        var input = new PlanInput
        {
            Resources = new ClusterResources
            {
                Pools =
                [
                    new IpAddressPoolResource { Ref = new ObjectRef("IPAddressPool", "metallb-system", "office"), Addresses = ["10.1.0.0/16"] },
                    new IpAddressPoolResource { Ref = new ObjectRef("IPAddressPool", "metallb-system", "external"), Addresses = ["141.89.58.180/30"] },
                ],
            },
        };

        var result = ClusterPlanner.Suggest(input, "nope", SuggestFamily.Auto, new Random(1));

        Assert.Equal(SuggestOutcome.UnknownPool, result.Outcome);
        Assert.Equal("unknown pool \"nope\"; the pools are external and office", result.Message);
    }
}
