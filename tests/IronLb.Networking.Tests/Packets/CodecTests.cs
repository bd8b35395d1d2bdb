using IronLb.Networking.Packets;
using IronLb.Networking.Responders;

namespace IronLb.Networking.Tests.Packets;

public sealed class CodecTests
{
    [Fact]
    public void ArpRequest_golden_frame_parses()
    {
        var frame = Frames.Hex(Frames.ArpRequest);
        Assert.Equal(DropReason.None, EthernetHeader.TryRead(frame, out var eth));
        Assert.True(eth.Destination.IsBroadcast);
        Assert.Equal(Frames.Client, eth.Source);
        Assert.Equal(EthernetHeader.EtherTypeArp, eth.EtherType);
        Assert.Equal(DropReason.None, ArpPacket.TryRead(frame.AsSpan(14), out var arp));
        Assert.Equal(ArpPacket.OpRequest, arp.Operation);
        Assert.Equal(Frames.V4("192.0.2.1"), arp.SenderIp);
        Assert.Equal(Frames.V4("192.0.2.11"), arp.TargetIp);
    }

    [Fact]
    public void ArpResponder_reply_is_byte_for_byte_the_kernels()
    {
        var table = AnnounceTable.Empty.With(System.Net.IPAddress.Parse("192.0.2.11"), InterfaceSelection.All);
        var reply = new byte[128];
        var reason = new ArpResponder("eno2", Frames.Node).Process(Frames.Hex(Frames.ArpRequest), table, reply, out var n, out _);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(Convert.ToHexString(Frames.Hex(Frames.ArpReply)), Convert.ToHexString(reply, 0, n));
    }

    [Fact]
    public void NeighborSolicitation_golden_frame_parses_with_valid_checksum()
    {
        var frame = Frames.Hex(Frames.NeighborSolicitation);
        Assert.Equal(DropReason.None, NeighborSolicitation.TryRead(frame, out var ns));
        Assert.Equal(Frames.V6("2001:db8:2::11"), ns.Target);
        Assert.Equal(Frames.Client, ns.SourceLinkLayer);
        Assert.Equal(Frames.V6("fe80::ff:fe00:bb"), ns.Ip.Source);
        Assert.Equal(Ipv6Header.SolicitedNode(ns.Target), ns.Ip.Destination);
    }

    [Fact]
    public void NeighborAdvertisement_with_solicited_and_override_is_byte_for_byte_the_kernels()
    {
        var frame = new byte[NeighborAdvertisement.FrameLength];
        var n = NeighborAdvertisement.WriteFrame(frame, Frames.Client, Frames.Node, Frames.V6("2001:db8:2::11"), Frames.V6("fe80::ff:fe00:bb"),
            NeighborAdvertisement.FlagSolicited | NeighborAdvertisement.FlagOverride);
        Assert.Equal(Convert.ToHexString(Frames.Hex(Frames.NeighborAdvertisement)), Convert.ToHexString(frame, 0, n));
    }

    [Fact]
    public void NdpResponder_answers_solicited_without_override_as_MetalLB_does()
    {
        var table = AnnounceTable.Empty.With(System.Net.IPAddress.Parse("2001:db8:2::11"), InterfaceSelection.All);
        var reply = new byte[128];
        var reason = new NdpResponder("eno2", Frames.Node).Process(Frames.Hex(Frames.NeighborSolicitation), table, reply, out var n, out var entry);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal("2001:db8:2::11", entry!.Label);
        var expected = Frames.Hex(Frames.NeighborAdvertisement);
        expected[58] = NeighborAdvertisement.FlagSolicited; // kernel sets O as well; MetalLB does not (§4.8)
        Assert.Equal(Convert.ToHexString(Frames.FixChecksum(expected)), Convert.ToHexString(reply, 0, n));
    }

    [Fact]
    public void Checksum_round_trips_and_detects_a_flipped_bit()
    {
        var frame = Frames.Ns();
        Assert.Equal(DropReason.None, NeighborSolicitation.TryRead(frame, out _));
        frame[70] ^= 0x01;
        Assert.Equal(DropReason.BadChecksum, NeighborSolicitation.TryRead(frame, out _));
    }

    [Fact]
    public void Gratuitous_frames_have_sender_and_target_equal_to_the_service_address()
    {
        var arp = new ArpResponder("eno2", Frames.Node);
        var frame = new byte[64];
        foreach (var op in new[] { ArpPacket.OpRequest, ArpPacket.OpReply })
        {
            var n = arp.WriteGratuitous(frame, Frames.V4("192.0.2.100"), op);
            Assert.Equal(42, n);
            Assert.Equal(DropReason.None, EthernetHeader.TryRead(frame, out var eth));
            Assert.True(eth.Destination.IsBroadcast);
            Assert.Equal(DropReason.None, ArpPacket.TryRead(frame.AsSpan(14), out var p));
            Assert.Equal((op, Frames.Node, Frames.V4("192.0.2.100"), MacAddress.Broadcast, Frames.V4("192.0.2.100")),
                (p.Operation, p.SenderMac, p.SenderIp, p.TargetMac, p.TargetIp));
        }

        var na = new byte[NeighborAdvertisement.FrameLength];
        new NdpResponder("eno2", Frames.Node).WriteUnsolicited(na, Frames.V6("2001:db8:2::100"));
        Assert.Equal("333300000001", Convert.ToHexString(na, 0, 6));
        Assert.Equal(NeighborAdvertisement.FlagOverride, na[58]);
        Assert.Equal(255, na[21]);
        Assert.True(Icmpv6.Verify(Frames.V6("2001:db8:2::100"), Ipv6Header.AllNodes, na.AsSpan(54, 32)));
    }

    [Theory]
    [InlineData("2001:db8:2::100", "ff02::1:ff00:100", "33:33:ff:00:01:00")]
    [InlineData("2001:db8::abcd:ef01", "ff02::1:ffcd:ef01", "33:33:ff:cd:ef:01")]
    public void Solicited_node_group_and_mac(string address, string group, string mac)
    {
        var g = Ipv6Header.SolicitedNode(Frames.V6(address));
        Assert.Equal(Frames.V6(group), g);
        Assert.Equal(MacAddress.Parse(mac), MacAddress.ForIpv6Multicast(g));
    }

    [Theory]
    [InlineData("aa:bb:cc:dd:ee:ff", true)]
    [InlineData("AA-BB-CC-DD-EE-FF", true)]
    [InlineData("aa:bb:cc:dd:ee", false)]
    [InlineData("aa:bb:cc:dd:ee:fg", false)]
    [InlineData("aa:bb:cc:dd:ee:ff:00", false)]
    [InlineData("", false)]
    public void MacAddress_parse(string text, bool ok)
    {
        Assert.Equal(ok, MacAddress.TryParse(text, out var mac));
        if (ok)
        {
            Assert.Equal(text.ToLowerInvariant().Replace('-', ':'), mac.ToString());
        }
    }
}
