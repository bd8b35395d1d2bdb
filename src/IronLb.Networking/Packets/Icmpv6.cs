using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>ICMPv6 checksum over the RFC 8200 §8.1 pseudo-header. AF_PACKET bypasses the kernel, so we compute it.</summary>
internal static class Icmpv6
{
    public const byte TypeNeighborSolicitation = 135;
    public const byte TypeNeighborAdvertisement = 136;

    public static ushort Checksum(UInt128 source, UInt128 destination, ReadOnlySpan<byte> message)
    {
        ulong sum = Fold128(source) + Fold128(destination) + (uint)message.Length + Ipv6Header.NextHeaderIcmpv6;
        var i = 0;
        for (; i + 1 < message.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(message[i..]);
        }

        if (i < message.Length)
        {
            sum += (uint)message[i] << 8;
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>A message whose checksum field is correct sums to zero with it included.</summary>
    public static bool Verify(UInt128 source, UInt128 destination, ReadOnlySpan<byte> message) =>
        Checksum(source, destination, message) == 0;

    private static ulong Fold128(UInt128 value)
    {
        var hi = (ulong)(value >> 64);
        var lo = (ulong)value;
        return (hi >> 48) + ((hi >> 32) & 0xFFFF) + ((hi >> 16) & 0xFFFF) + (hi & 0xFFFF)
            + (lo >> 48) + ((lo >> 32) & 0xFFFF) + ((lo >> 16) & 0xFFFF) + (lo & 0xFFFF);
    }
}
