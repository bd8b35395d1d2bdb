using IronLb.Core.Addressing;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>The pool lists that end messages about unknown pools and addresses outside every pool.</summary>
public sealed class PoolMessagesTests
{
    [Theory]
    [InlineData("", "there are no pools")]
    [InlineData("external", "the only pool is external")]
    [InlineData("office,external", "the pools are external and office")]
    [InlineData("c,a,b", "the pools are a, b and c")]
    [InlineData("p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13", "the pools are p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12 and 1 more pool")]
    [InlineData("p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14", "the pools are p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12 and 2 more pools")]
    public void Existing_names_the_pools(string names, string expected) =>
        Assert.Equal(expected, PoolMessages.Existing(names.Split(',', StringSplitOptions.RemoveEmptyEntries)));

    private static readonly ClusterResources Campus = Cluster(
        Pool("external", "141.89.58.175/32", "141.89.58.180/30", "141.89.58.184/29", "141.89.58.192/28", "141.89.58.208/31", "141.89.58.211/32", "141.89.58.212/30", "2001:638:807:3a::/64"),
        Pool("office", "10.1.0.0/16", "2001:638:807:403::/64"),
        Pool("lab", "192.0.2.0/24") with { AvoidBuggyIps = true });

    public static TheoryData<string, string, string> NoPoolRows => new()
    {
        { "outside every pool: only IPv4 prefixes are listed, three per pool",
          "192.168.77.5",
          "192.168.77.5 is in none of the pools: external (141.89.58.175/32, 141.89.58.180/30, 141.89.58.184/29 and 4 more), lab (192.0.2.0/24) and office (10.1.0.0/16)" },
        { "IPv6 outside every pool: only IPv6 prefixes",
          "2001:db8::5",
          "2001:db8::5 is in none of the pools: external (2001:638:807:3a::/64) and office (2001:638:807:403::/64)" },
        { "a dual pair, both outside",
          "192.168.77.5,2001:db8::5",
          "192.168.77.5 and 2001:db8::5 are in none of the pools: external (141.89.58.175/32, 141.89.58.180/30, 141.89.58.184/29 and 5 more), lab (192.0.2.0/24) and office (10.1.0.0/16, 2001:638:807:403::/64)" },
        { "excluded by avoidBuggyIPs",
          "192.0.2.255",
          "192.0.2.255 is excluded from pool lab by avoidBuggyIPs (no .0 or .255 address)" },
        { "each address in a different pool",
          "141.89.58.180,2001:638:807:403::5",
          "141.89.58.180 is in pool external but 2001:638:807:403::5 is in pool office; a Service's addresses must all come from one pool" },
    };

    [Theory]
    [MemberData(nameof(NoPoolRows))]
    public void Why_in_no_pool_says_where_the_pools_are(string desc, string ips, string expected)
    {
        _ = desc;
        var config = ConfigParser.Parse(Campus).Config!;
        Assert.Equal(expected, PoolMessages.WhyInNoPool(config, [.. ips.Split(',').Select(Address.Parse)]));
    }

    [Fact]
    public void Many_pools_are_cut_short()
    {
        var pools = Enumerable.Range(1, 9).Select(i => Pool($"p{i}", $"10.{i}.0.0/16")).ToArray();
        var config = ConfigParser.Parse(Cluster(pools)).Config!;

        Assert.Equal(
            "192.168.77.5 is in none of the pools: p1 (10.1.0.0/16), p2 (10.2.0.0/16), p3 (10.3.0.0/16), p4 (10.4.0.0/16), p5 (10.5.0.0/16), p6 (10.6.0.0/16) and 3 more pools",
            PoolMessages.WhyInNoPool(config, [Address.Parse("192.168.77.5")]));
    }

    [Fact]
    public void No_pool_of_the_family()
    {
        var config = ConfigParser.Parse(Cluster(Pool("v4", "192.0.2.0/24"))).Config!;

        Assert.Equal("2001:db8::1 is in none of the pools: no pool has IPv6 addresses (the only pool is v4)",
            PoolMessages.WhyInNoPool(config, [Address.Parse("2001:db8::1")]));
    }
}
