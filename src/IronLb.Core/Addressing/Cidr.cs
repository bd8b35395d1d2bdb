using System.Globalization;
using System.Numerics;

namespace IronLb.Core.Addressing;

/// <summary>A prefix: its first address (host bits zero) and length.</summary>
public readonly record struct Cidr
{
    public Cidr(Address network, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, network.Bits);
        PrefixLength = prefixLength;
        First = network with { Value = network.Value & NetworkMask(network.Bits, prefixLength) };
    }

    public Address First { get; }

    public int PrefixLength { get; }

    public IpFamily Family => First.Family;

    public int HostBits => First.Bits - PrefixLength;

    public Address Last => First with { Value = First.Value | HostMask(HostBits) };

    /// <summary>Exact number of addresses: 2^hostbits (a /64 is 18446744073709551616, ::/0 is 2^128).</summary>
    public BigInteger Size => BigInteger.One << HostBits;

    public bool Contains(Address address) =>
        address.Family == Family && address.Value >= First.Value && address.Value <= Last.Value;

    /// <summary>Two prefixes overlap exactly when one contains the other.</summary>
    public bool Overlaps(Cidr other) => Contains(other.First) || other.Contains(First);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}/{PrefixLength}");

    internal static UInt128 HostMask(int hostBits) => hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;

    private static UInt128 NetworkMask(int bits, int prefixLength)
    {
        var familyMask = bits == 32 ? (UInt128)uint.MaxValue : UInt128.MaxValue;
        return familyMask & ~HostMask(bits - prefixLength);
    }

    /// <summary>Parses "address/length" like Go's net.ParseCIDR, masking host bits.</summary>
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !Address.TryParse(text[..slash], out var address))
        {
            return false;
        }

        var lengthText = text.AsSpan(slash + 1);
        // Go's ParseCIDR reads the length with dtoi, which takes leading zeros ("/024" is /24).
        if (lengthText.Length is 0 or > 8)
        {
            return false;
        }

        foreach (var c in lengthText)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var length = int.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture);

        // An IPv4-mapped address written with an IPv6 prefix length keeps Go's meaning: /120 of ::ffff:a.b.c.d is a /24.
        if (address.Family == IpFamily.IPv4 && text[..slash].Contains(':', StringComparison.Ordinal))
        {
            if (length < 96)
            {
                return false;
            }

            length -= 96;
        }

        if (length > address.Bits)
        {
            return false;
        }

        cidr = new Cidr(address, length);
        return true;
    }
}
