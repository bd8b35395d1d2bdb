using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Sockets;

/// <summary>
/// Solicited-node memberships through an ordinary IPv6 multicast join on a UDP socket. Besides programming
/// the NIC's multicast filter (what PACKET_ADD_MEMBERSHIP would do), the kernel then sends MLD reports, so
/// switches with MLD snooping forward the solicitations to us. Needs no privilege; dropped when disposed.
/// </summary>
internal sealed class Ipv6MulticastGroups : IMulticastGroups
{
    private readonly Socket _socket;
    private readonly int _interfaceIndex;

    public Ipv6MulticastGroups(int interfaceIndex)
    {
        _interfaceIndex = interfaceIndex;
        _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
    }

    public void Join(UInt128 group) =>
        _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(ToAddress(group), _interfaceIndex));

    public void Leave(UInt128 group) =>
        _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.DropMembership, new IPv6MulticastOption(ToAddress(group), _interfaceIndex));

    public void Dispose() => _socket.Dispose();

    private static IPAddress ToAddress(UInt128 group)
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, group);
        return new IPAddress(b);
    }
}
