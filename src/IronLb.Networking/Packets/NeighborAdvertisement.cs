using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>Builds neighbour advertisements with a target link-layer option (RFC 4861 §4.4).</summary>
internal static class NeighborAdvertisement
{
    public const byte FlagRouter = 0x80;
    public const byte FlagSolicited = 0x40;
    public const byte FlagOverride = 0x20;

    /// <summary>ICMPv6 part: 24 bytes plus the 8-byte target link-layer option.</summary>
    public const int IcmpLength = 32;

    public const int FrameLength = EthernetHeader.Length + Ipv6Header.Length + IcmpLength;

    /// <summary>
    /// Writes an NA frame. The IPv6 source is the target itself: ndisc6 ignores answers whose source differs,
    /// and the kernel accepts either (dotnet-notes §3.3).
    /// </summary>
    public static int WriteFrame(Span<byte> frame, MacAddress ethernetDestination, MacAddress interfaceMac, UInt128 target, UInt128 destination, byte flags)
    {
        new EthernetHeader(ethernetDestination, interfaceMac, EthernetHeader.EtherTypeIpv6).Write(frame);
        var packet = frame[EthernetHeader.Length..];
        new Ipv6Header(IcmpLength, Ipv6Header.NextHeaderIcmpv6, 255, target, destination).Write(packet);
        var icmp = packet.Slice(Ipv6Header.Length, IcmpLength);
        icmp[0] = Icmpv6.TypeNeighborAdvertisement;
        icmp[1] = 0;
        icmp[2] = 0;
        icmp[3] = 0;
        icmp[4] = flags;
        icmp[5] = 0;
        icmp[6] = 0;
        icmp[7] = 0;
        BinaryPrimitives.WriteUInt128BigEndian(icmp[8..], target);
        icmp[24] = NeighborSolicitation.OptionTargetLinkLayer;
        icmp[25] = 1;
        interfaceMac.Write(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Icmpv6.Checksum(target, destination, icmp));
        return FrameLength;
    }
}
