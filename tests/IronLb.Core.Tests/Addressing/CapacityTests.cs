using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using IronLb.Core.Addressing;
using IronLb.Core.Configuration;

namespace IronLb.Core.Tests.Addressing;

/// <summary>
/// Pool capacity (spec §3.9). MetalLB counts in int64 and sets a pool to int64 max as soon as one prefix has
/// 62 or more host bits; we count exactly (BigInteger) and saturate only when a CRD status field needs an int64.
/// </summary>
public sealed class CapacityTests
{
    private static readonly BigInteger TwoTo64 = BigInteger.Parse("18446744073709551616", CultureInfo.InvariantCulture);

    public sealed record CidrCase(string Desc, string Cidr, bool AvoidBuggyIps, BigInteger Expected)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<CidrCase> CidrCases =>
    [
        new CidrCase("/24", "1.2.3.0/24", false, 256),
        new CidrCase("/24 avoiding buggy IPs loses .0 and .255", "1.2.3.0/24", true, 254),
        new CidrCase("/25 upper half loses .255 only", "2.3.4.128/25", true, 127),
        new CidrCase("/25 lower half loses .0 only", "2.3.4.0/25", true, 127),
        new CidrCase("/16 loses two per /24", "10.0.0.0/16", true, 65536 - 512),
        new CidrCase("/23 loses four", "10.0.0.0/23", true, 508),
        new CidrCase("/31 at .0 loses one", "1.2.3.0/31", true, 1),
        new CidrCase("/31 at .254 loses one", "1.2.3.254/31", true, 1),
        new CidrCase("/30 in the middle loses nothing", "1.2.3.4/30", true, 4),
        new CidrCase("network and broadcast are usable without avoidBuggyIPs", "1.2.3.4/30", false, 4),
        new CidrCase("IPv6 is not affected by avoidBuggyIPs", "1000::/120", true, 256),
        new CidrCase("IPv6 /127", "1000::/127", true, 2),
        new CidrCase("IPv6 /64 counts exactly", "1000::/64", false, TwoTo64),
        new CidrCase("IPv6 /66: MetalLB reports int64 max (host bits >= 62), we count exactly", "1000::/66", false, BigInteger.One << 62),
        new CidrCase("IPv6 ::/0", "::/0", false, BigInteger.One << 128),
    ];

    [Theory]
    [MemberData(nameof(CidrCases))]
    public void Capacity_of_a_prefix(CidrCase c)
    {
        Assert.True(Cidr.TryParse(c.Cidr, out var cidr), c.Desc);
        Assert.Equal(c.Expected, Capacity.Of(cidr, c.AvoidBuggyIps));
    }

    // §3.9: subtract 1 if the first address ends in .0 and 1 if the last ends in .255; a /32 is one address, never -1.
    [Fact]
    public void A_single_buggy_address_has_capacity_zero()
    {
        Assert.True(Cidr.TryParse("1.2.3.0/32", out var zero));
        Assert.True(Cidr.TryParse("1.2.3.255/32", out var broadcast));
        Assert.Equal(BigInteger.Zero, Capacity.Of(zero, avoidBuggyIps: true));
        Assert.Equal(BigInteger.Zero, Capacity.Of(broadcast, avoidBuggyIps: true));
    }

    public sealed record PoolCountCase(string Desc, string[] Cidrs, bool AvoidBuggyIps, BigInteger V4, BigInteger V6, long SaturatedTotal, long SaturatedV6)
    {
        public override string ToString() => Desc;
    }

    // MetalLB's TestPoolCount (spec §3.9): its "total" and "IPv6" columns equal our saturated values.
    public static TheoryData<PoolCountCase> PoolCountCases =>
    [
        new PoolCountCase("1.2.3.0/24", ["1.2.3.0/24"], false, 256, 0, 256, 0),
        new PoolCountCase("1.2.3.0/24 + 2.3.4.128/25", ["1.2.3.0/24", "2.3.4.128/25"], false, 384, 0, 384, 0),
        new PoolCountCase("1.2.3.0/24 + 2.3.4.128/25 avoiding buggy IPs", ["1.2.3.0/24", "2.3.4.128/25"], true, 381, 0, 381, 0),
        new PoolCountCase("the above + 1000::/64: exact 381 + 2^64, saturated int64 max", ["1.2.3.0/24", "2.3.4.128/25", "1000::/64"], true, 381, TwoTo64, long.MaxValue, long.MaxValue),
        new PoolCountCase("1.2.3.0/31 + 1000::/127 avoiding buggy IPs", ["1.2.3.0/31", "1000::/127"], true, 1, 2, 3, 2),

        // MetalLB bug (upstream PR #3140): a /64 listed before a /24 overflows to a negative total. We saturate.
        new PoolCountCase("1000::/64 before 1.2.3.0/24 does not overflow", ["1000::/64", "1.2.3.0/24"], false, 256, TwoTo64, long.MaxValue, long.MaxValue),
        new PoolCountCase("many /64s do not overflow", ["1000::/64", "1000:0:0:1::/64", "1000:0:0:2::/64"], false, 0, 3 * TwoTo64, long.MaxValue, long.MaxValue),

        // MetalLB sets a /66 to int64 max; its exact size 2^62 fits in an int64, so that is what we report.
        new PoolCountCase("1000::/66 fits in an int64 exactly", ["1000::/66"], false, 0, BigInteger.One << 62, 1L << 62, 1L << 62),
    ];

    [Theory]
    [MemberData(nameof(PoolCountCases))]
    public void Pool_count(PoolCountCase c)
    {
        var pool = new AddressPool
        {
            Name = "test",
            Cidrs = [.. c.Cidrs.Select(Parse)],
            AvoidBuggyIps = c.AvoidBuggyIps,
        };
        var v4 = pool.Capacity(IpFamily.IPv4);
        var v6 = pool.Capacity(IpFamily.IPv6);
        Assert.Equal(c.V4, v4);
        Assert.Equal(c.V6, v6);
        Assert.Equal(c.SaturatedTotal, Capacity.SaturateToInt64(v4 + v6));
        Assert.Equal(c.SaturatedV6, Capacity.SaturateToInt64(v6));
    }

    [Fact]
    public void Saturation_clamps_both_ways()
    {
        Assert.Equal(long.MaxValue, Capacity.SaturateToInt64(TwoTo64));
        Assert.Equal(long.MaxValue, Capacity.SaturateToInt64(long.MaxValue));
        Assert.Equal(long.MaxValue - 1, Capacity.SaturateToInt64(long.MaxValue - 1));
        Assert.Equal(0, Capacity.SaturateToInt64(0));
        Assert.Equal(long.MinValue, Capacity.SaturateToInt64(-TwoTo64));
    }

    [Fact]
    public void Capacity_is_per_family_and_ignores_the_other_family()
    {
        var pool = new AddressPool { Name = "v4", Cidrs = [Parse("1.2.3.0/24")] };
        Assert.Equal(BigInteger.Zero, pool.Capacity(IpFamily.IPv6));
        Assert.True(pool.HasFamily(IpFamily.IPv4));
        Assert.False(pool.HasFamily(IpFamily.IPv6));
        Assert.Equal(ImmutableArray<L2Advertisement>.Empty, pool.L2Advertisements);
    }

    private static Cidr Parse(string text) =>
        Cidr.TryParse(text, out var cidr) ? cidr : throw new ArgumentException(text);
}
