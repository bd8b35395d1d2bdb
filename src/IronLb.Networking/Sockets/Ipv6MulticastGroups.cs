using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Sockets;

/// <summary>
/// Solicited-node memberships through ordinary IPv6 multicast joins on UDP sockets. Besides programming
/// the NIC's multicast filter (what PACKET_ADD_MEMBERSHIP would do), the kernel then sends MLD reports, so
/// switches with MLD snooping forward the solicitations to us. Needs no privilege; dropped when disposed.
/// Memberships are spread over several sockets because each one's list is charged to net.core.optmem_max
/// (20 KiB on older kernels, a few hundred groups), and a node may announce thousands of addresses.
/// </summary>
internal sealed class Ipv6MulticastGroups(int interfaceIndex) : IMulticastGroups
{
    private const int GroupsPerSocket = 128;

    private readonly List<(Socket Socket, int Count)> _sockets = [];
    private readonly Dictionary<UInt128, int> _socketOf = [];

    public void Join(UInt128 group)
    {
        if (_socketOf.ContainsKey(group))
        {
            return;
        }

        var slot = _sockets.FindIndex(s => s.Count < GroupsPerSocket);
        if (slot < 0)
        {
            _sockets.Add((new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp), 0));
            slot = _sockets.Count - 1;
        }

        var (socket, count) = _sockets[slot];
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(ToAddress(group), interfaceIndex));
        _sockets[slot] = (socket, count + 1);
        _socketOf[group] = slot;
    }

    public void Leave(UInt128 group)
    {
        if (!_socketOf.Remove(group, out var slot))
        {
            return;
        }

        var (socket, count) = _sockets[slot];
        _sockets[slot] = (socket, count - 1);
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.DropMembership, new IPv6MulticastOption(ToAddress(group), interfaceIndex));
    }

    public void Dispose()
    {
        foreach (var (socket, _) in _sockets)
        {
            socket.Dispose();
        }

        _sockets.Clear();
        _socketOf.Clear();
    }

    private static IPAddress ToAddress(UInt128 group)
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, group);
        return new IPAddress(b);
    }
}
