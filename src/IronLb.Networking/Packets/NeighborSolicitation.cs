using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>
/// A validated neighbour solicitation inside an Ethernet frame (RFC 4861 §4.3, §7.1.1).
/// <see cref="SourceLinkLayer"/> is null when the option is absent (DAD probes).
/// </summary>
internal readonly record struct NeighborSolicitation(EthernetHeader Ethernet, Ipv6Header Ip, UInt128 Target, MacAddress? SourceLinkLayer)
{
    /// <summary>Type, code, checksum, reserved, target.</summary>
    public const int MinimumLength = 24;

    public const byte OptionSourceLinkLayer = 1;
    public const byte OptionTargetLinkLayer = 2;

    /// <summary>Parses an IPv6 Ethernet frame as NS, checking everything RFC 4861 requires a receiver to check.</summary>
    public static DropReason TryRead(ReadOnlySpan<byte> frame, out NeighborSolicitation ns)
    {
        ns = default;
        var reason = EthernetHeader.TryRead(frame, out var eth);
        if (reason != DropReason.None)
        {
            return reason;
        }

        if (eth.EtherType != EthernetHeader.EtherTypeIpv6)
        {
            return DropReason.WrongEtherType;
        }

        var packet = frame[EthernetHeader.Length..];
        reason = Ipv6Header.TryRead(packet, out var ip);
        if (reason != DropReason.None)
        {
            return reason;
        }

        if (ip.NextHeader != Ipv6Header.NextHeaderIcmpv6)
        {
            return DropReason.NotIcmpv6;
        }

        var icmp = packet.Slice(Ipv6Header.Length, ip.PayloadLength);
        if (icmp.Length < 4)
        {
            return DropReason.Truncated;
        }

        if (icmp[0] != Icmpv6.TypeNeighborSolicitation)
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

        var target = BinaryPrimitives.ReadUInt128BigEndian(icmp[8..]);
        if (Ipv6Header.IsMulticast(target))
        {
            return DropReason.BadHeader;
        }

        MacAddress? sourceLinkLayer = null;
        var options = icmp[MinimumLength..];
        while (options.Length > 0)
        {
            // Length is in units of 8 octets; zero would loop forever and is invalid (RFC 4861 §4.6).
            if (options.Length < 2 || options[1] == 0 || options[1] * 8 > options.Length)
            {
                return DropReason.BadOption;
            }

            var optionLength = options[1] * 8;
            if (options[0] == OptionSourceLinkLayer && optionLength >= 8)
            {
                sourceLinkLayer = MacAddress.Read(options[2..]);
            }

            options = options[optionLength..];
        }

        // A DAD probe from :: must not carry a source link-layer option (RFC 4861 §7.1.1).
        if (ip.Source == UInt128.Zero && sourceLinkLayer is not null)
        {
            return DropReason.BadOption;
        }

        ns = new NeighborSolicitation(eth, ip, target, sourceLinkLayer);
        return DropReason.None;
    }

    /// <summary>Builds an NS frame (used by tests, the injector and the benchmark's client side).</summary>
    public static int WriteFrame(Span<byte> frame, MacAddress sourceMac, UInt128 source, UInt128 target, MacAddress? sourceLinkLayer, MacAddress? ethernetDestination = null, UInt128? destination = null)
    {
        var dst = destination ?? Ipv6Header.SolicitedNode(target);
        var icmpLength = MinimumLength + (sourceLinkLayer is null ? 0 : 8);
        new EthernetHeader(ethernetDestination ?? MacAddress.ForIpv6Multicast(dst), sourceMac, EthernetHeader.EtherTypeIpv6).Write(frame);
        var packet = frame[EthernetHeader.Length..];
        new Ipv6Header((ushort)icmpLength, Ipv6Header.NextHeaderIcmpv6, 255, source, dst).Write(packet);
        var icmp = packet.Slice(Ipv6Header.Length, icmpLength);
        icmp.Clear();
        icmp[0] = Icmpv6.TypeNeighborSolicitation;
        BinaryPrimitives.WriteUInt128BigEndian(icmp[8..], target);
        if (sourceLinkLayer is { } sll)
        {
            icmp[24] = OptionSourceLinkLayer;
            icmp[25] = 1;
            sll.Write(icmp[26..]);
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Icmpv6.Checksum(source, dst, icmp));
        return EthernetHeader.Length + Ipv6Header.Length + icmpLength;
    }
}
