using System.Net;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Tests.Packets;

namespace IronLb.Networking.Tests.Responders;

/// <summary>Every responder decision as a table row (MetalLB's arp_test.go/ndp_test.go, typed).</summary>
public sealed class DropReasonTableTests
{
    private static readonly MacAddress Other = MacAddress.Parse("02:00:00:00:00:cc");

    public static TheoryData<string, byte[], string?, DropReason> ArpRows()
    {
        var bad = Frames.Arp();
        bad[15] = 6; // hardware type 6 (IEEE 802)
        var rows = new TheoryData<string, byte[], string?, DropReason>
        {
            { "broadcast request for an announced address", Frames.Arp(), null, DropReason.None },
            { "request unicast to our MAC", Frames.Arp(ethDst: Frames.Node), null, DropReason.None },
            { "announced on this interface by name", Frames.Arp(), "eno2", DropReason.None },
            { "announced only on another interface", Frames.Arp(), "eno3", DropReason.WrongInterface },
            { "address not announced", Frames.Arp(target: "192.0.2.200"), null, DropReason.NotOwned },
            { "ARP reply", Frames.Arp(op: ArpPacket.OpReply), null, DropReason.NotRequest },
            { "our own frame", Frames.Arp(ethSrc: Frames.Node), null, DropReason.OwnFrame },
            { "unicast to someone else", Frames.Arp(ethDst: Other), null, DropReason.WrongDestination },
            { "truncated inside the ARP body", Frames.Arp()[..30], null, DropReason.Truncated },
            { "truncated inside the Ethernet header", Frames.Arp()[..13], null, DropReason.Truncated },
            { "empty frame", [], null, DropReason.Truncated },
            { "unsupported hardware type", bad, null, DropReason.BadHeader },
            { "IPv6 frame on the ARP socket", Frames.Ns(), null, DropReason.WrongEtherType },
            { "ARP probe from 0.0.0.0 (answered: the defence against a prober)", Frames.Arp(sender: "0.0.0.0"), null, DropReason.None },
            { "gratuitous request for an announced address (an announcement)", Frames.Arp(sender: "192.0.2.100"), null, DropReason.Announcement },
            { "gratuitous request unicast to us", Frames.Arp(sender: "192.0.2.100", ethDst: Frames.Node), null, DropReason.Announcement },
            { "gratuitous request for another address", Frames.Arp(sender: "192.0.2.200", target: "192.0.2.200"), null, DropReason.Announcement },
        };
        return rows;
    }

    public static TheoryData<string, byte[], string?, DropReason> NdpRows()
    {
        static byte[] Edit(byte[] f, Action<byte[]> edit, bool fix = true)
        {
            edit(f);
            return fix ? Frames.FixChecksum(f) : f;
        }

        var target = Frames.V6("2001:db8:2::100");
        return new TheoryData<string, byte[], string?, DropReason>
        {
            { "NS to the solicited-node group", Frames.Ns(), null, DropReason.None },
            { "unicast NS (reachability check)", Frames.Ns(ethDst: Frames.Node, destination: "2001:db8:2::100"), null, DropReason.None },
            { "announced on this interface by name", Frames.Ns(), "eno2", DropReason.None },
            { "announced only on another interface", Frames.Ns(), "eno3", DropReason.WrongInterface },
            { "address not announced", Frames.Ns(target: "2001:db8:2::200"), null, DropReason.NotOwned },
            { "DAD probe from ::", Frames.Ns(source: "::", withSll: false), null, DropReason.NoSourceLinkLayer },
            { "NS without source link-layer option", Frames.Ns(withSll: false), null, DropReason.NoSourceLinkLayer },
            { "DAD probe carrying a link-layer option", Frames.Ns(source: "::"), null, DropReason.BadOption },
            { "our own frame", Frames.Ns(ethSrc: Frames.Node), null, DropReason.OwnFrame },
            { "IPv6 destination all-nodes", Frames.Ns(destination: "ff02::1", ethDst: MacAddress.AllNodes), null, DropReason.WrongDestination },
            { "Ethernet destination someone else", Frames.Ns(ethDst: Other), null, DropReason.WrongDestination },
            { "bad checksum", Edit(Frames.Ns(), f => f[56] ^= 0xFF, fix: false), null, DropReason.BadChecksum },
            { "hop limit 64 (routed)", Edit(Frames.Ns(), f => f[21] = 64), null, DropReason.BadHopLimit },
            { "option with length zero (loop)", Edit(Frames.Ns(), f => f[79] = 0), null, DropReason.BadOption },
            { "option longer than the packet", Edit(Frames.Ns(), f => f[79] = 2), null, DropReason.BadOption },
            { "payload length beyond the frame", Edit(Frames.Ns(), f => f[19] = 200, fix: false), null, DropReason.Truncated },
            { "payload length shorter than an NS", Frames.FixChecksum(Edit(Frames.Ns()[..74], f => f[19] = 20, fix: false)), null, DropReason.Truncated },
            { "frame cut inside the IPv6 header", Frames.Ns()[..40], null, DropReason.Truncated },
            { "next header UDP", Edit(Frames.Ns(), f => f[20] = 17, fix: false), null, DropReason.NotIcmpv6 },
            { "neighbour advertisement", Edit(Frames.Ns(), f => f[54] = 136), null, DropReason.NotRequest },
            { "ICMPv6 code 1", Edit(Frames.Ns(), f => f[55] = 1), null, DropReason.BadHeader },
            { "multicast target", Frames.Ns(target: "ff02::1:ff00:100", ethDst: MacAddress.ForIpv6Multicast(Ipv6Header.SolicitedNode(target)), destination: "ff02::1:ff00:100"), null, DropReason.BadHeader },
            { "IP version 4 in an IPv6 frame", Edit(Frames.Ns(), f => f[14] = 0x45, fix: false), null, DropReason.BadHeader },
            { "ARP frame on the IPv6 socket", Frames.Arp(), null, DropReason.WrongEtherType },
        };
    }

    [Theory]
    [MemberData(nameof(ArpRows))]
    public void Arp(string desc, byte[] frame, string? onlyOn, DropReason expected)
    {
        var reply = new byte[128];
        var reason = new ArpResponder("eno2", Frames.Node).Process(frame, Table("192.0.2.100", onlyOn), reply, out var n, out var entry);
        Assert.True(expected == reason, $"{desc}: expected {expected}, got {reason}");
        if (reason == DropReason.None)
        {
            Assert.Equal("192.0.2.100", entry!.Label);
            Assert.Equal(DropReason.None, ArpPacket.TryRead(reply.AsSpan(14, n - 14), out var answer));
            Assert.Equal((ArpPacket.OpReply, Frames.Node, Frames.V4("192.0.2.100"), Frames.Client), (answer.Operation, answer.SenderMac, answer.SenderIp, answer.TargetMac));
            Assert.Equal(Frames.Client, MacAddress.Read(reply)); // unicast to the asker
        }
        else
        {
            Assert.Equal(0, n);
        }
    }

    [Theory]
    [MemberData(nameof(NdpRows))]
    public void Ndp(string desc, byte[] frame, string? onlyOn, DropReason expected)
    {
        var reply = new byte[128];
        var reason = new NdpResponder("eno2", Frames.Node).Process(frame, Table("2001:db8:2::100", onlyOn), reply, out var n, out _);
        Assert.True(expected == reason, $"{desc}: expected {expected}, got {reason}");
        if (reason == DropReason.None)
        {
            Assert.Equal(Frames.Client, MacAddress.Read(reply));
            Assert.Equal(DropReason.None, Ipv6Header.TryRead(reply.AsSpan(14, n - 14), out var ip));
            Assert.Equal((Frames.V6("2001:db8:2::100"), Frames.V6("2001:db8:2::1"), (byte)255), (ip.Source, ip.Destination, ip.HopLimit));
            Assert.Equal(NeighborAdvertisement.FlagSolicited, reply[58]);
            Assert.True(Icmpv6.Verify(ip.Source, ip.Destination, reply.AsSpan(54, 32)));
        }
    }

    [Fact]
    public void Malformed_family_is_what_the_issue_calls_malformed()
    {
        Assert.True(DropReason.BadOption.IsMalformed());
        Assert.True(DropReason.Truncated.IsMalformed());
        Assert.False(DropReason.NotOwned.IsMalformed());
        Assert.False(DropReason.None.IsMalformed());
    }

    private static AnnounceTable Table(string address, string? onlyOn) =>
        AnnounceTable.Empty.With(IPAddress.Parse(address), onlyOn is null ? InterfaceSelection.All : InterfaceSelection.Only(onlyOn));
}
