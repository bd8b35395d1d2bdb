using System.Net;

namespace IronLb.Lab.Topology;

/// <summary>Interface addresses as <c>ip addr</c> takes them ("192.0.2.11/24"): an address with its prefix length.</summary>
internal static class Cidr
{
    public static IPAddress Address(string cidr) => IPAddress.Parse(cidr[..cidr.IndexOf('/', StringComparison.Ordinal)]);

    public static int PrefixLength(string cidr) => int.Parse(cidr[(cidr.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The network the address is on (IPNetwork.Parse rejects host bits, so they are masked here).</summary>
    public static IPNetwork Network(string cidr)
    {
        var bytes = Address(cidr).GetAddressBytes();
        var length = PrefixLength(cidr);
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), length);
    }
}
