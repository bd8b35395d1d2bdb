using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>The fixed 40-byte IPv6 header. Addresses are UInt128 of the big-endian wire value.</summary>
internal readonly record struct Ipv6Header(ushort PayloadLength, byte NextHeader, byte HopLimit, UInt128 Source, UInt128 Destination)
{
    public const int Length = 40;
    public const byte NextHeaderIcmpv6 = 58;

    /// <summary>ff02::1.</summary>
    public static readonly UInt128 AllNodes = new(0xFF02_0000_0000_0000UL, 1UL);

    /// <summary>ff02::1:ff00:0/104; the low 24 bits come from the unicast address (RFC 4291 §2.7.1).</summary>
    public static readonly UInt128 SolicitedNodePrefix = new(0xFF02_0000_0000_0000UL, 0x0000_0001_FF00_0000UL);

    public static UInt128 SolicitedNode(UInt128 address) => SolicitedNodePrefix | (address & 0xFF_FFFF);

    public static bool IsMulticast(UInt128 address) => (byte)(address >> 120) == 0xFF;

    /// <summary>Reads the header; the payload must fit in what was received (frames may carry padding after it).</summary>
    public static DropReason TryRead(ReadOnlySpan<byte> packet, out Ipv6Header header)
    {
        header = default;
        if (packet.Length < Length)
        {
            return DropReason.Truncated;
        }

        if (packet[0] >> 4 != 6)
        {
            return DropReason.BadHeader;
        }

        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (payloadLength > packet.Length - Length)
        {
            return DropReason.Truncated;
        }

        header = new Ipv6Header(
            payloadLength,
            packet[6],
            packet[7],
            BinaryPrimitives.ReadUInt128BigEndian(packet[8..]),
            BinaryPrimitives.ReadUInt128BigEndian(packet[24..]));
        return DropReason.None;
    }

    public void Write(Span<byte> packet)
    {
        packet[0] = 0x60; // version 6, traffic class and flow label zero
        packet[1] = 0;
        packet[2] = 0;
        packet[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], PayloadLength);
        packet[6] = NextHeader;
        packet[7] = HopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(packet[8..], Source);
        BinaryPrimitives.WriteUInt128BigEndian(packet[24..], Destination);
    }
}
