namespace IronLb.Networking.Packets;

/// <summary>
/// A validated neighbour advertisement inside an Ethernet frame (RFC 4861 §4.4, §7.1.2), as another host sends
/// it: the address it claims (<see cref="Target"/>) and, when it says so, the link-layer address it claims it
/// for (<see cref="TargetLinkLayer"/>, null when the option is absent). Written by <see cref="NeighborAdvertisement"/>.
/// </summary>
internal readonly record struct NeighborAdvertisementPacket(EthernetHeader Ethernet, Ipv6Header Ip, byte Flags, UInt128 Target, MacAddress? TargetLinkLayer)
{
    /// <summary>Parses an IPv6 Ethernet frame as NA; total: every frame gets a reason, none throws.</summary>
    public static DropReason TryRead(ReadOnlySpan<byte> frame, out NeighborAdvertisementPacket na)
    {
        na = default;
        var reason = NdpMessage.TryRead(frame, Icmpv6.TypeNeighborAdvertisement, out var eth, out var ip, out var icmp, out var target);
        if (reason != DropReason.None)
        {
            return reason;
        }

        var flags = icmp[4];

        // An advertisement to a multicast group answers no one in particular, so it cannot be solicited.
        if (Ipv6Header.IsMulticast(ip.Destination) && (flags & NeighborAdvertisement.FlagSolicited) != 0)
        {
            return DropReason.BadHeader;
        }

        reason = NdpMessage.TryReadLinkLayerOption(icmp[NdpMessage.MinimumLength..], NeighborSolicitation.OptionTargetLinkLayer, out var targetLinkLayer);
        if (reason != DropReason.None)
        {
            return reason;
        }

        na = new NeighborAdvertisementPacket(eth, ip, flags, target, targetLinkLayer);
        return DropReason.None;
    }

    /// <summary>Who claims the target: the target link-layer option, else the frame's Ethernet source.</summary>
    public MacAddress Claimant => TargetLinkLayer ?? Ethernet.Source;
}
