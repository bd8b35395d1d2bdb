using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Sockets;

/// <summary>
/// struct sockaddr_ll (20 bytes) as a managed EndPoint, so Socket.Bind works for AF_PACKET without P/Invoke
/// (dotnet-notes §3.1). sll_protocol is big-endian, sll_ifindex host order.
/// </summary>
internal sealed class LinkLayerEndPoint(int interfaceIndex, ushort etherType) : EndPoint
{
    private const int SockaddrLlSize = 20;

    public int InterfaceIndex { get; } = interfaceIndex;

    public ushort EtherType { get; } = etherType;

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    public override SocketAddress Serialize()
    {
        var sa = new SocketAddress(AddressFamily.Packet, SockaddrLlSize);
        var b = sa.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], EtherType);
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], InterfaceIndex);
        return sa;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        var b = socketAddress.Buffer.Span;
        return new LinkLayerEndPoint(BinaryPrimitives.ReadInt32LittleEndian(b[4..]), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
    }
}
