using System.Buffers.Binary;

namespace IronLb.Networking.Packets;

/// <summary>
/// A validated neighbour solicitation inside an Ethernet frame (RFC 4861 §4.3, §7.1.1).
/// <see cref="SourceLinkLayer"/> is null when the option is absent (DAD probes).
/// </summary>
internal readonly record struct NeighborSolicitation(EthernetHeader Ethernet, Ipv6Header Ip, UInt128 Target, MacAddress? SourceLinkLayer)
{
    /// <summary>Type, code, checksum, reserved, target.</summary>
    public const int MinimumLength = NdpMessage.MinimumLength;

    public const byte OptionSourceLinkLayer = 1;
    public const byte OptionTargetLinkLayer = 2;

    /// <summary>Parses an IPv6 Ethernet frame as NS, checking everything RFC 4861 requires a receiver to check.</summary>
    public static DropReason TryRead(ReadOnlySpan<byte> frame, out NeighborSolicitation ns)
    {
        ns = default;
        var reason = NdpMessage.TryRead(frame, Icmpv6.TypeNeighborSolicitation, out var eth, out var ip, out var icmp, out var target);
        if (reason != DropReason.None)
        {
            return reason;
        }

        reason = NdpMessage.TryReadLinkLayerOption(icmp[MinimumLength..], OptionSourceLinkLayer, out var sourceLinkLayer);
        if (reason != DropReason.None)
        {
            return reason;
        }

        // A DAD probe from :: must not carry a source link-layer option (RFC 4861 §7.1.1).
        if (ip.Source == UInt128.Zero && sourceLinkLayer is not null)
        {
            return DropReason.BadOption;
        }

        ns = new NeighborSolicitation(eth, ip, target, sourceLinkLayer);
        return DropReason.None;
    }

    /// <summary>Ethernet, IPv6 and the 24-byte message of a DAD probe, which carries no option.</summary>
    public const int DadProbeFrameLength = EthernetHeader.Length + Ipv6Header.Length + MinimumLength;

    /// <summary>
    /// A Duplicate Address Detection probe for <paramref name="target"/> (RFC 4862 §5.4.2): from the unspecified
    /// address ::, to the target's solicited-node group and its multicast MAC, hop limit 255, and no source
    /// link-layer option (a receiver drops one that has it).
    /// </summary>
    public static int WriteDadProbe(Span<byte> frame, MacAddress interfaceMac, UInt128 target) =>
        WriteFrame(frame, interfaceMac, UInt128.Zero, target, sourceLinkLayer: null);

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
