using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>An ARP packet for Ethernet/IPv4 (RFC 826). IPv4 addresses are host-order uints of the big-endian wire value.</summary>
internal readonly record struct ArpPacket(ushort Operation, MacAddress SenderMac, uint SenderIp, MacAddress TargetMac, uint TargetIp)
{
    public const int Length = 28;
    public const ushort OpRequest = 1;
    public const ushort OpReply = 2;

    /// <summary>Ethernet header plus ARP body; what we send (drivers pad to 60 on real NICs).</summary>
    public const int FrameLength = EthernetHeader.Length + Length;

    public static DropReason TryRead(ReadOnlySpan<byte> payload, out ArpPacket packet)
    {
        packet = default;
        if (payload.Length < Length)
        {
            return DropReason.Truncated;
        }

        // Hardware Ethernet (1), protocol IPv4, 6-byte MACs, 4-byte addresses: anything else is not ours to parse.
        if (BinaryPrimitives.ReadUInt16BigEndian(payload) != 1
            || BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) != 0x0800
            || payload[4] != 6
            || payload[5] != 4)
        {
            return DropReason.BadHeader;
        }

        packet = new ArpPacket(
            BinaryPrimitives.ReadUInt16BigEndian(payload[6..]),
            MacAddress.Read(payload[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(payload[14..]),
            MacAddress.Read(payload[18..]),
            BinaryPrimitives.ReadUInt32BigEndian(payload[24..]));
        return DropReason.None;
    }

    /// <summary>
    /// An ARP probe for <paramref name="target"/> (RFC 5227 §2.1.1): a broadcast request with our hardware
    /// address, sender IP 0.0.0.0 so that no neighbour caches anything from it, and target hardware address zero.
    /// </summary>
    public static int WriteProbeFrame(Span<byte> frame, MacAddress interfaceMac, uint target) =>
        new ArpPacket(OpRequest, interfaceMac, 0, default, target).WriteFrame(frame, MacAddress.Broadcast, interfaceMac);

    /// <summary>Writes an Ethernet frame carrying this packet; returns its length.</summary>
    public int WriteFrame(Span<byte> frame, MacAddress ethernetDestination, MacAddress ethernetSource)
    {
        new EthernetHeader(ethernetDestination, ethernetSource, EthernetHeader.EtherTypeArp).Write(frame);
        var p = frame.Slice(EthernetHeader.Length, Length);
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], 0x0800);
        p[4] = 6;
        p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p[6..], Operation);
        SenderMac.Write(p[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(p[14..], SenderIp);
        TargetMac.Write(p[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(p[24..], TargetIp);
        return FrameLength;
    }
}
