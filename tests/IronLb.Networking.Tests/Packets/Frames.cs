using System.Buffers.Binary;
using System.Net;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Tests.Packets;

/// <summary>Golden frames captured with tcpdump -xx between two namespaces (kernel and arping/ndisc6), and builders for variants.</summary>
internal static class Frames
{
    public static readonly MacAddress Node = MacAddress.Parse("02:00:00:00:00:aa");
    public static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:00:bb");

    /// <summary>arping: who-has 192.0.2.11 tell 192.0.2.1.</summary>
    public const string ArpRequest =
        "ffff ffff ffff 0200 0000 00bb 0806 0001 0800 0604 0001 0200 0000 00bb c000 0201 ffff ffff ffff c000 020b";

    /// <summary>The kernel's reply to it.</summary>
    public const string ArpReply =
        "0200 0000 00bb 0200 0000 00aa 0806 0001 0800 0604 0002 0200 0000 00aa c000 020b 0200 0000 00bb c000 0201";

    /// <summary>ndisc6: NS for 2001:db8:2::11 from fe80::ff:fe00:bb with a source link-layer option.</summary>
    public const string NeighborSolicitation =
        "3333 ff00 0011 0200 0000 00bb 86dd 600c 10c0 0020 3aff fe80 0000 0000 0000 0000 00ff fe00 00bb ff02 0000 0000 0000 0000 0001 ff00 0011 8700 4acb 0000 0000 2001 0db8 0002 0000 0000 0000 0000 0011 0101 0200 0000 00bb";

    /// <summary>The kernel's advertisement in answer (flags S|O).</summary>
    public const string NeighborAdvertisement =
        "0200 0000 00bb 0200 0000 00aa 86dd 6000 0000 0020 3aff 2001 0db8 0002 0000 0000 0000 0000 0011 fe80 0000 0000 0000 0000 00ff fe00 00bb 8800 b925 6000 0000 2001 0db8 0002 0000 0000 0000 0000 0011 0201 0200 0000 00aa";

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static uint V4(string address) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes());

    public static UInt128 V6(string address) => BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(address).GetAddressBytes());

    public static byte[] Arp(ushort op = ArpPacket.OpRequest, string target = "192.0.2.100", MacAddress? ethDst = null, MacAddress? ethSrc = null, string sender = "192.0.2.1", MacAddress? senderMac = null)
    {
        var frame = new byte[ArpPacket.FrameLength];
        new ArpPacket(op, senderMac ?? ethSrc ?? Client, V4(sender), default, V4(target)).WriteFrame(frame, ethDst ?? MacAddress.Broadcast, ethSrc ?? Client);
        return frame;
    }

    /// <summary>A neighbour advertisement for <paramref name="target"/> from <paramref name="ethSrc"/> (by default unsolicited, to all-nodes, with Override).</summary>
    public static byte[] Na(string target = "2001:db8:2::100", MacAddress? ethSrc = null, byte flags = IronLb.Networking.Packets.NeighborAdvertisement.FlagOverride, MacAddress? ethDst = null, string destination = "ff02::1")
    {
        var frame = new byte[IronLb.Networking.Packets.NeighborAdvertisement.FrameLength];
        var n = IronLb.Networking.Packets.NeighborAdvertisement.WriteFrame(frame, ethDst ?? MacAddress.AllNodes, ethSrc ?? Client, V6(target), V6(destination), flags);
        return frame[..n];
    }

    public static byte[] Ns(string target = "2001:db8:2::100", bool withSll = true, string source = "2001:db8:2::1", MacAddress? ethDst = null, string? destination = null, MacAddress? ethSrc = null)
    {
        var frame = new byte[128];
        var n = IronLb.Networking.Packets.NeighborSolicitation.WriteFrame(frame, ethSrc ?? Client, V6(source), V6(target), withSll ? ethSrc ?? Client : null, ethDst, destination is null ? null : V6(destination));
        return frame[..n];
    }

    /// <summary>Recomputes the ICMPv6 checksum after a test edits an NS frame.</summary>
    public static byte[] FixChecksum(byte[] frame)
    {
        var icmp = frame.AsSpan(54, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(18)));
        icmp[2] = 0;
        icmp[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Icmpv6.Checksum(BinaryPrimitives.ReadUInt128BigEndian(frame.AsSpan(22)), BinaryPrimitives.ReadUInt128BigEndian(frame.AsSpan(38)), icmp));
        return frame;
    }
}
