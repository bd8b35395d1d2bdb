using System.Net;

namespace IronLb.Bgp.Peering;

/// <summary>A total order on prefixes (IPv4 before IPv6, then address bytes, then length), so withdrawals and snapshots are deterministic.</summary>
public sealed class PrefixOrder : IComparer<IPNetwork>
{
    public static PrefixOrder Instance { get; } = new();

    public int Compare(IPNetwork x, IPNetwork y)
    {
        var family = x.BaseAddress.AddressFamily.CompareTo(y.BaseAddress.AddressFamily);
        if (family != 0)
        {
            return family;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.BaseAddress.TryWriteBytes(a, out var lengthA);
        y.BaseAddress.TryWriteBytes(b, out var lengthB);
        var bytes = a[..lengthA].SequenceCompareTo(b[..lengthB]);
        return bytes != 0 ? bytes : x.PrefixLength.CompareTo(y.PrefixLength);
    }
}
