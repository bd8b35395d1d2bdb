using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>The 14-byte Ethernet II header. AF_PACKET hands us whole frames with VLAN tags already stripped.</summary>
internal readonly record struct EthernetHeader(MacAddress Destination, MacAddress Source, ushort EtherType)
{
    public const int Length = 14;
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeIpv6 = 0x86DD;

    public static DropReason TryRead(ReadOnlySpan<byte> frame, out EthernetHeader header)
    {
        if (frame.Length < Length)
        {
            header = default;
            return DropReason.Truncated;
        }

        header = new EthernetHeader(
            MacAddress.Read(frame),
            MacAddress.Read(frame[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(frame[12..]));
        return DropReason.None;
    }

    public void Write(Span<byte> frame)
    {
        Destination.Write(frame);
        Source.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherType);
    }
}
