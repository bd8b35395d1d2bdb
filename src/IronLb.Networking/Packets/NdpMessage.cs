using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace IronLb.Networking.Packets;

/// <summary>
/// The checks RFC 4861 asks of a receiver that solicitations and advertisements share (§7.1.1, §7.1.2): an
/// IPv6 frame carrying ICMPv6 of the expected type, long enough for a target, code 0, hop limit 255, a
/// checksum that verifies, a target that is not multicast, and options whose lengths hold together.
/// </summary>
internal static class NdpMessage
{
    /// <summary>Type, code, checksum, flags or reserved, target: the part both messages have.</summary>
    public const int MinimumLength = 24;

    /// <summary>
    /// Validates everything up to the options; <paramref name="icmp"/> is the whole ICMPv6 message and
    /// <paramref name="target"/> the target address. A frame of another ICMPv6 type is <see cref="DropReason.NotRequest"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DropReason TryRead(ReadOnlySpan<byte> frame, byte type, out EthernetHeader eth, out Ipv6Header ip, out ReadOnlySpan<byte> icmp, out UInt128 target)
    {
        ip = default;
        icmp = default;
        target = default;
        var reason = EthernetHeader.TryRead(frame, out eth);
        if (reason != DropReason.None)
        {
            return reason;
        }

        if (eth.EtherType != EthernetHeader.EtherTypeIpv6)
        {
            return DropReason.WrongEtherType;
        }

        var packet = frame[EthernetHeader.Length..];
        reason = Ipv6Header.TryRead(packet, out ip);
        if (reason != DropReason.None)
        {
            return reason;
        }

        if (ip.NextHeader != Ipv6Header.NextHeaderIcmpv6)
        {
            return DropReason.NotIcmpv6;
        }

        icmp = packet.Slice(Ipv6Header.Length, ip.PayloadLength);
        if (icmp.Length < 4)
        {
            return DropReason.Truncated;
        }

        if (icmp[0] != type)
        {
            return DropReason.NotRequest;
        }

        if (icmp.Length < MinimumLength)
        {
            return DropReason.Truncated;
        }

        if (icmp[1] != 0)
        {
            return DropReason.BadHeader;
        }

        if (ip.HopLimit != 255)
        {
            return DropReason.BadHopLimit;
        }

        if (!Icmpv6.Verify(ip.Source, ip.Destination, icmp))
        {
            return DropReason.BadChecksum;
        }

        target = BinaryPrimitives.ReadUInt128BigEndian(icmp[8..]);
        return Ipv6Header.IsMulticast(target) ? DropReason.BadHeader : DropReason.None;
    }

    /// <summary>
    /// Walks the options after the fixed part and returns the link-layer address in the last option of type
    /// <paramref name="optionType"/> (null when there is none). An option of length zero (the classic loop)
    /// or one that runs past the message is <see cref="DropReason.BadOption"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DropReason TryReadLinkLayerOption(ReadOnlySpan<byte> options, byte optionType, out MacAddress? linkLayer)
    {
        linkLayer = null;
        while (options.Length > 0)
        {
            // Length is in units of 8 octets; zero would loop forever and is invalid (RFC 4861 §4.6).
            if (options.Length < 2 || options[1] == 0 || options[1] * 8 > options.Length)
            {
                return DropReason.BadOption;
            }

            var optionLength = options[1] * 8;
            if (options[0] == optionType)
            {
                linkLayer = MacAddress.Read(options[2..]);
            }

            options = options[optionLength..];
        }

        return DropReason.None;
    }
}
