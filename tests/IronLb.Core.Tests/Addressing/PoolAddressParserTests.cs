using IronLb.Core.Addressing;

namespace IronLb.Core.Tests.Addressing;

/// <summary>spec.addresses entries parsed as MetalLB's config.ParseCIDR does (spec §1.2).</summary>
public sealed class PoolAddressParserTests
{
    public sealed record ParseCase(string Desc, string Entry, string[]? Cidrs, string? ErrorContains = null)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<ParseCase> Cases =>
    [
        new ParseCase("IPv4 CIDR", "192.168.1.0/24", ["192.168.1.0/24"]),
        new ParseCase("IPv4 host bits are masked", "10.0.0.5/24", ["10.0.0.0/24"]),
        new ParseCase("IPv4 /32 is one address", "1.2.3.4/32", ["1.2.3.4/32"]),
        new ParseCase("IPv4 /0", "1.2.3.4/0", ["0.0.0.0/0"]),
        new ParseCase("IPv6 CIDR", "fc00::/120", ["fc00::/120"]),
        new ParseCase("IPv6 host bits are masked", "1000::5/120", ["1000::/120"]),
        new ParseCase("IPv6 /128", "1000::4/128", ["1000::4/128"]),
        new ParseCase("IPv6 text is canonicalised", "FC00:F853:0CCD:E799::0/126", ["fc00:f853:ccd:e799::/126"]),
        new ParseCase("IPv4-mapped IPv6 with a /120 is an IPv4 /24 (Go's To4)", "::ffff:10.1.2.3/120", ["10.1.2.0/24"]),
        new ParseCase("a CIDR is not trimmed: leading space", " 192.168.1.0/24", null, "invalid CIDR"),
        new ParseCase("a CIDR is not trimmed: trailing space", "192.168.1.0/24 ", null, "invalid CIDR"),
        new ParseCase("a CIDR needs a prefix length", "192.168.1.0", null, "invalid CIDR"),
        new ParseCase("prefix length too long for IPv4", "192.168.1.0/33", null, "invalid CIDR"),
        new ParseCase("prefix length too long for IPv6", "1000::/129", null, "invalid CIDR"),
        new ParseCase("a dash makes any entry a range, even a negative prefix length", "192.168.1.0/-1", null, "invalid start IP"),
        new ParseCase("empty prefix length", "192.168.1.0/", null, "invalid CIDR"),
        new ParseCase("garbage", "not-an-ip", null, "invalid IP range"),
        new ParseCase("garbage without dash", "hello", null, "invalid CIDR"),
        new ParseCase("empty entry", "", null, "invalid CIDR"),
        new ParseCase("IPv4 octet with a leading zero (Go rejects since 1.17)", "192.168.01.0/24", null, "invalid CIDR"),
        new ParseCase("IPv4 octet over 255", "192.168.256.0/24", null, "invalid CIDR"),
        new ParseCase("IPv4 with three octets", "192.168.1/24", null, "invalid CIDR"),
        new ParseCase("IPv6 with a zone", "fe80::1%eth0/64", null, "invalid CIDR"),
        new ParseCase("IPv6 with two ::", "1::2::3/64", null, "invalid CIDR"),
        new ParseCase("IPv6 group of five digits", "10000::/64", null, "invalid CIDR"),
        new ParseCase("the §1.2 range example", "192.168.160.130-192.168.160.150",
            ["192.168.160.130/31", "192.168.160.132/30", "192.168.160.136/29", "192.168.160.144/30", "192.168.160.148/31", "192.168.160.150/32"]),
        new ParseCase("range sides are trimmed", " 1.2.3.4 - 1.2.3.5 ", ["1.2.3.4/31"]),
        new ParseCase("range sides are trimmed (tabs)", "1.2.3.4\t-\t1.2.3.7", ["1.2.3.4/30"]),
        new ParseCase("single-address range", "1.2.3.4-1.2.3.4", ["1.2.3.4/32"]),
        new ParseCase("range that is exactly a /24", "10.0.0.0-10.0.0.255", ["10.0.0.0/24"]),
        new ParseCase("range across a /24 boundary", "10.0.0.255-10.0.1.0", ["10.0.0.255/32", "10.0.1.0/32"]),
        new ParseCase("range of the whole IPv4 space", "0.0.0.0-255.255.255.255", ["0.0.0.0/0"]),
        new ParseCase("e2e range 1.1.1.1-1.1.1.100", "1.1.1.1-1.1.1.100",
            ["1.1.1.1/32", "1.1.1.2/31", "1.1.1.4/30", "1.1.1.8/29", "1.1.1.16/28", "1.1.1.32/27", "1.1.1.64/27", "1.1.1.96/30", "1.1.1.100/32"]),
        new ParseCase("IPv6 range", "1000::1-1000::6", ["1000::1/128", "1000::2/127", "1000::4/127", "1000::6/128"]),
        new ParseCase("IPv6 range of the whole space", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ["::/0"]),
        new ParseCase("IPv4-mapped range ends are IPv4", "::ffff:1.2.3.4-::ffff:1.2.3.5", ["1.2.3.4/31"]),
        new ParseCase("start after end", "1.2.3.5-1.2.3.4", null, "after the end IP"),
        new ParseCase("IPv6 start after end", "1000::5-1000::4", null, "after the end IP"),
        new ParseCase("mixed families are rejected with a message (MetalLB silently yields nothing)", "1.2.3.4-1000::1", null, "different address families"),
        new ParseCase("mixed families the other way", "1000::1-1.2.3.4", null, "different address families"),
        new ParseCase("invalid start", "1.2.3-1.2.3.5", null, "invalid start IP"),
        new ParseCase("invalid end", "1.2.3.4-1.2.3", null, "invalid end IP"),
        new ParseCase("empty end", "1.2.3.4-", null, "invalid end IP"),
        new ParseCase("split at the first dash: the end holds another dash", "1.2.3.4-1.2.3.5-1.2.3.6", null, "invalid end IP"),
        new ParseCase("a CIDR inside a range is not an IP", "1.2.3.0/24-1.2.3.255", null, "invalid start IP"),
        new ParseCase("leading zero inside a range", "1.2.3.04-1.2.3.5", null, "invalid start IP"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses_like_MetalLB(ParseCase c)
    {
        var ok = PoolAddressParser.TryParse(c.Entry, out var cidrs, out var error);
        if (c.Cidrs is null)
        {
            Assert.False(ok, $"{c.Desc}: expected an error, got {string.Join(' ', cidrs)}");
            Assert.Contains(c.ErrorContains!, error, StringComparison.Ordinal);
            Assert.Contains(c.Entry, error, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(ok, $"{c.Desc}: {error}");
            Assert.Equal(c.Cidrs, cidrs.Select(x => x.ToString()));
        }
    }

    // Go's ParseCIDR reads the length with dtoi, which accepts leading zeros: MetalLB takes "10.0.0.0/024" as a /24.
    [Fact]
    public void Prefix_length_with_leading_zero_is_accepted_like_Go()
    {
        Assert.True(PoolAddressParser.TryParse("10.0.0.0/024", out var cidrs, out _));
        Assert.Equal("10.0.0.0/24", Assert.Single(cidrs).ToString());
    }

    [Fact]
    public void Range_summary_is_minimal_ascending_and_exactly_covers_the_range()
    {
        // Exhaustive over small IPv4 ranges: the CIDRs tile [start, end] in ascending order with no gap or overlap,
        // and each block is the largest aligned one that fits (so no two neighbours could merge).
        for (uint start = 0; start < 40; start++)
        {
            for (var end = start; end < 40; end++)
            {
                var cidrs = new AddressRange(Address.IPv4(0x0A000000 + start), Address.IPv4(0x0A000000 + end)).ToCidrs();
                var next = (UInt128)(0x0A000000 + start);
                foreach (var cidr in cidrs)
                {
                    Assert.Equal(next, cidr.First.Value);
                    next = cidr.Last.Value + 1;
                }

                Assert.Equal((UInt128)(0x0A000000 + end), next - 1);
                for (var i = 1; i < cidrs.Length; i++)
                {
                    var merged = cidrs[i - 1].PrefixLength == cidrs[i].PrefixLength
                        && new Cidr(cidrs[i - 1].First, cidrs[i].PrefixLength - 1).First == cidrs[i - 1].First
                        && new Cidr(cidrs[i - 1].First, cidrs[i].PrefixLength - 1).Last == cidrs[i].Last;
                    Assert.False(merged, $"{start}-{end}: {cidrs[i - 1]} and {cidrs[i]} could be one prefix");
                }
            }
        }
    }
}
