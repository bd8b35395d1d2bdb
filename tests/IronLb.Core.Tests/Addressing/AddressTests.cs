using System.Numerics;
using IronLb.Core.Addressing;

namespace IronLb.Core.Tests.Addressing;

/// <summary>Address parsing (as strict as Go's net.ParseIP) and text (Go's net.IP.String: RFC 5952 for IPv6).</summary>
public sealed class AddressTests
{
    public sealed record TextCase(string Desc, string Input, string Expected, IpFamily Family)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<TextCase> TextCases =>
    [
        new TextCase("IPv4", "192.168.1.10", "192.168.1.10", IpFamily.IPv4),
        new TextCase("IPv4 zero", "0.0.0.0", "0.0.0.0", IpFamily.IPv4),
        new TextCase("IPv4 broadcast", "255.255.255.255", "255.255.255.255", IpFamily.IPv4),
        new TextCase("IPv4-mapped IPv6 is IPv4 and prints dotted", "::ffff:1.2.3.4", "1.2.3.4", IpFamily.IPv4),
        new TextCase("IPv4-mapped IPv6 in hex is IPv4", "::ffff:102:304", "1.2.3.4", IpFamily.IPv4),
        new TextCase("IPv4-compatible (deprecated) stays IPv6 and prints in hex", "::1.2.3.4", "::102:304", IpFamily.IPv6),
        new TextCase("unspecified", "::", "::", IpFamily.IPv6),
        new TextCase("loopback", "::1", "::1", IpFamily.IPv6),
        new TextCase("trailing zero run", "1::", "1::", IpFamily.IPv6),
        new TextCase("fully written loopback", "0:0:0:0:0:0:0:1", "::1", IpFamily.IPv6),
        new TextCase("leading zeros in groups dropped", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", IpFamily.IPv6),
        new TextCase("lower case", "2001:DB8::ABCD", "2001:db8::abcd", IpFamily.IPv6),
        new TextCase("longest zero run is compressed", "2001:0:0:1:0:0:0:1", "2001:0:0:1::1", IpFamily.IPv6),
        new TextCase("tie for the longest run: the first is compressed", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", IpFamily.IPv6),
        new TextCase("tie of three runs of two", "1:0:0:2:0:0:3:4", "1::2:0:0:3:4", IpFamily.IPv6),
        new TextCase("a single zero group is not compressed", "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", IpFamily.IPv6),
        new TextCase("single zero groups alternating", "1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0", IpFamily.IPv6),
        new TextCase("single trailing zero group", "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0", IpFamily.IPv6),
        new TextCase("single leading zero group", "0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7", IpFamily.IPv6),
        new TextCase("run of seven", "1:0:0:0:0:0:0:0", "1::", IpFamily.IPv6),
        new TextCase("run in the middle, longer than a leading one", "0:0:1:0:0:0:2:3", "0:0:1::2:3", IpFamily.IPv6),
        new TextCase("MetalLB test address 1000::4:0", "1000:0:0:0:0:0:4:0", "1000::4:0", IpFamily.IPv6),
        new TextCase("e2e pool address", "fc00:f853:0ccd:e799::", "fc00:f853:ccd:e799::", IpFamily.IPv6),
        new TextCase("embedded dotted quad at the end", "64:ff9b::192.0.2.33", "64:ff9b::c000:221", IpFamily.IPv6),
        new TextCase("seven groups and a trailing :: (the :: stands for one group)", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", IpFamily.IPv6),
        new TextCase(":: standing for one group in the middle", "1:2:3::5:6:7:8", "1:2:3:0:5:6:7:8", IpFamily.IPv6),
        new TextCase("all groups full", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IpFamily.IPv6),
    ];

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Text_is_Go_net_IP_String(TextCase c)
    {
        Assert.True(Address.TryParse(c.Input, out var address), c.Desc);
        Assert.Equal(c.Family, address.Family);
        Assert.Equal(c.Expected, address.ToString());

        // The canonical text parses back to the same address.
        Assert.Equal(address, Address.Parse(address.ToString()));
    }

    public static TheoryData<string> Invalid =>
    [
        "", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "1.2.3.04", "01.2.3.4", "1.2.3.256", "1.2.3.-1", "1.2.3.4/32",
        "1..2.3", "a.b.c.d", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "fe80::1%eth0", ":1::", "1:::2",
        "::ffff:1.2.3.04", "g::", "1.2.3.4:80", "[::1]", "None", "0x1::", "1:2:3:4:5:6:7:8::", "::1.2.3.4:1",
        "+1::", "1:2:3:4:5:6:7:", ":1:2:3:4:5:6:7", "١.2.3.4",
    ];

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_what_Go_rejects(string text)
    {
        Assert.False(Address.TryParse(text, out _), $"\"{text}\" should not parse");
        Assert.Throws<FormatException>(() => Address.Parse(text));
    }

    // Go's parseIPv6: an embedded dotted quad must be the final 32 bits; before a "::" it is rejected.
    [Fact]
    public void Embedded_IPv4_must_be_last()
    {
        Assert.False(Address.TryParse("1.2.3.4::", out _));
        Assert.False(Address.TryParse("1:2:3:4:5:1.2.3.4::", out _));
    }

    [Fact]
    public void Ordering_is_numeric_within_a_family_and_IPv4_before_IPv6()
    {
        string[] sorted = ["1.2.3.4", "1.2.3.10", "1.2.4.0", "10.0.0.0", "::", "::1", "1000::", "1000::4:0"];
        var parsed = sorted.Reverse().Select(Address.Parse).Order().Select(a => a.ToString());
        Assert.Equal(sorted, parsed);
        Assert.True(Address.Parse("1.2.3.255") < Address.Parse("1.2.4.0"));
    }

    [Theory]
    [InlineData("1.2.3.0", true)]
    [InlineData("1.2.3.255", true)]
    [InlineData("1.2.3.1", false)]
    [InlineData("1.2.3.254", false)]
    [InlineData("1000::", false)]
    [InlineData("1000::ff", false)]
    public void Buggy_means_IPv4_ending_in_0_or_255(string text, bool buggy) =>
        Assert.Equal(buggy, Address.Parse(text).IsBuggy);

    [Fact]
    public void Cidr_size_is_exact()
    {
        Assert.True(Cidr.TryParse("1000::/64", out var v6));
        Assert.Equal(BigInteger.Parse("18446744073709551616", System.Globalization.CultureInfo.InvariantCulture), v6.Size);
        Assert.True(Cidr.TryParse("::/0", out var all));
        Assert.Equal(BigInteger.One << 128, all.Size);
        Assert.True(Cidr.TryParse("1.2.3.0/24", out var v4));
        Assert.Equal(256, v4.Size);
        Assert.Equal("1.2.3.255", v4.Last.ToString());
        Assert.True(Cidr.TryParse("1.2.3.4/32", out var one));
        Assert.Equal(1, one.Size);
    }

    [Theory]
    [InlineData("1.1.1.0/24", "1.1.1.15/32", true)]
    [InlineData("1.1.1.15/32", "1.1.1.0/24", true)]
    [InlineData("1.1.1.0/25", "1.1.1.128/25", false)]
    [InlineData("1.2.3.0/24", "1.2.3.0/24", true)]
    [InlineData("1.2.3.0/24", "102:300::/24", false)]
    [InlineData("1000::/64", "1000::4:0/120", true)]
    [InlineData("1000::/127", "1000::2/127", false)]
    public void Overlap_means_one_contains_the_other(string a, string b, bool overlaps)
    {
        Assert.True(Cidr.TryParse(a, out var x));
        Assert.True(Cidr.TryParse(b, out var y));
        Assert.Equal(overlaps, x.Overlaps(y));
        Assert.Equal(overlaps, y.Overlaps(x));
    }
}
