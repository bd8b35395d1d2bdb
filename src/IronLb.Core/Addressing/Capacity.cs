using System.Numerics;

namespace IronLb.Core.Addressing;

/// <summary>Exact pool sizes, and the int64 saturation a CRD status field needs.</summary>
public static class Capacity
{
    /// <summary>
    /// Usable addresses in a prefix; with avoidBuggyIPs an IPv4 prefix loses its .0 and .255 addresses
    /// (two per /24 it spans, or the first and last if they end that way).
    /// </summary>
    public static BigInteger Of(Cidr cidr, bool avoidBuggyIps)
    {
        var size = cidr.Size;
        if (!avoidBuggyIps || cidr.Family != IpFamily.IPv4)
        {
            return size;
        }

        if (cidr.PrefixLength <= 24)
        {
            return size - (2 * (BigInteger.One << (24 - cidr.PrefixLength)));
        }

        // MetalLB's rule: one less when the first address ends in .0, one less when the last ends in .255.
        return size - ((byte)cidr.First.Value == 0 ? 1 : 0) - ((byte)cidr.Last.Value == 255 ? 1 : 0);
    }

    /// <summary>Clamps to int64 (IPAddressPool status fields are int64; a /64 does not fit).</summary>
    public static long SaturateToInt64(BigInteger value) =>
        value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
}
