using IronLb.Networking.Packets;

namespace IronLb.Networking.Tests.Packets;

/// <summary>
/// The probes LanProber sends, byte for byte. The goldens were written out field by field from RFC 5227 §2.1.1
/// and RFC 4862 §5.4.2 (the DAD checksum computed apart from our code), not captured from our own writer.
/// </summary>
public sealed class ProbeFrameTests
{
    /// <summary>Broadcast; ARP request from our MAC; sender IP 0.0.0.0; target MAC zero; target 192.0.2.100.</summary>
    private const string ArpProbe =
        "ffff ffff ffff 0200 0000 00aa 0806 0001 0800 0604 0001 0200 0000 00aa 0000 0000 0000 0000 0000 c000 0264";

    /// <summary>To ff02::1:ff00:100 (33:33:ff:00:01:00) from ::, hop limit 255, NS for 2001:db8:2::100, no option.</summary>
    private const string DadProbe =
        "3333 ff00 0100 0200 0000 00aa 86dd 6000 0000 0018 3aff 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000 0000 0001 ff00 0100 8700 4aed 0000 0000 2001 0db8 0002 0000 0000 0000 0000 0100";

    [Fact]
    public void Arp_probe_is_a_broadcast_request_from_0_0_0_0_with_a_zero_target_mac()
    {
        var frame = new byte[64];
        var n = ArpPacket.WriteProbeFrame(frame, Frames.Node, Frames.V4("192.0.2.100"));
        Assert.Equal(Convert.ToHexString(Frames.Hex(ArpProbe)), Convert.ToHexString(frame, 0, n));
    }

    [Fact]
    public void Dad_probe_is_a_solicitation_from_the_unspecified_address_without_a_link_layer_option()
    {
        var frame = new byte[128];
        var n = NeighborSolicitation.WriteDadProbe(frame, Frames.Node, Frames.V6("2001:db8:2::100"));
        Assert.Equal(NeighborSolicitation.DadProbeFrameLength, n);
        Assert.Equal(Convert.ToHexString(Frames.Hex(DadProbe)), Convert.ToHexString(frame, 0, n));

        // And a receiver takes it as what it is: valid, from ::, no option.
        Assert.Equal(DropReason.None, NeighborSolicitation.TryRead(frame.AsSpan(0, n), out var ns));
        Assert.Equal((UInt128.Zero, (MacAddress?)null), (ns.Ip.Source, ns.SourceLinkLayer));
    }
}
