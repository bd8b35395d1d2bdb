using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// An immutable set of addresses kept as raw bits, so a responder thread asks "is this one of them?" about a
/// received frame without building an <see cref="IPAddress"/>. Swapped whole, like the announce table.
/// </summary>
internal sealed class WatchedAddresses
{
    private readonly FrozenSet<uint> _v4;
    private readonly FrozenSet<UInt128> _v6;

    private WatchedAddresses(FrozenSet<uint> v4, FrozenSet<UInt128> v6)
    {
        _v4 = v4;
        _v6 = v6;
    }

    public static WatchedAddresses Empty { get; } = new(FrozenSet<uint>.Empty, FrozenSet<UInt128>.Empty);

    public int Count => _v4.Count + _v6.Count;

    /// <summary>IPv4-mapped IPv6 addresses count as IPv4, as in the announce table; other families are ignored.</summary>
    public static WatchedAddresses Create(IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var v4 = new HashSet<uint>();
        var v6 = new HashSet<UInt128>();
        foreach (var address in addresses)
        {
            switch (Bits(address))
            {
                case (true, var bits, _):
                    v4.Add(bits);
                    break;
                case (false, _, var bits):
                    v6.Add(bits);
                    break;
                default:
                    break;
            }
        }

        return v4.Count == 0 && v6.Count == 0 ? Empty : new WatchedAddresses(v4.ToFrozenSet(), v6.ToFrozenSet());
    }

    public bool ContainsV4(uint address) => _v4.Contains(address);

    public bool ContainsV6(UInt128 address) => _v6.Contains(address);

    /// <summary>The address as wire bits: (true, v4, 0) or (false, 0, v6); null for anything but IPv4 and IPv6.</summary>
    internal static (bool IsV4, uint V4, UInt128 V6)? Bits(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        address = AnnounceTable.Normalize(address);
        Span<byte> bytes = stackalloc byte[16];
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork when address.TryWriteBytes(bytes, out _) => (true, BinaryPrimitives.ReadUInt32BigEndian(bytes), UInt128.Zero),
            AddressFamily.InterNetworkV6 when address.TryWriteBytes(bytes, out _) => (false, 0u, BinaryPrimitives.ReadUInt128BigEndian(bytes)),
            _ => null,
        };
    }

    internal static IPAddress FromV4(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    internal static IPAddress FromV6(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}
