using System.Buffers.Binary;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Tests.Packets;

/// <summary>The advertisement reader (RFC 4861 §7.1.2) as table rows: every frame gets a reason, and valid ones their claim.</summary>
public sealed class NeighborAdvertisementParserTests
{
    private static readonly MacAddress Rogue = MacAddress.Parse("02:00:00:00:00:ee");

    public static TheoryData<string, byte[], DropReason> Rows()
    {
        static byte[] Edit(byte[] f, Action<byte[]> edit, bool fix = true)
        {
            edit(f);
            return fix ? Frames.FixChecksum(f) : f;
        }

        return new TheoryData<string, byte[], DropReason>
        {
            { "unsolicited, to all-nodes, with Override and a target link-layer option", Frames.Na(), DropReason.None },
            { "solicited, unicast", Frames.Na(flags: NeighborAdvertisement.FlagSolicited, ethDst: Frames.Node, destination: "2001:db8:2::1"), DropReason.None },
            { "without a target link-layer option", WithoutOption(Frames.Na()), DropReason.None },
            { "the kernel's golden answer (S|O)", Frames.Hex(Frames.NeighborAdvertisement), DropReason.None },
            { "solicited but to a multicast group", Frames.Na(flags: NeighborAdvertisement.FlagSolicited), DropReason.BadHeader },
            { "bad checksum", Edit(Frames.Na(), f => f[56] ^= 0xFF, fix: false), DropReason.BadChecksum },
            { "option with length zero (loop)", Edit(Frames.Na(), f => f[79] = 0), DropReason.BadOption },
            { "option longer than the message", Edit(Frames.Na(), f => f[79] = 2), DropReason.BadOption },
            { "hop limit 64 (routed)", Edit(Frames.Na(), f => f[21] = 64), DropReason.BadHopLimit },
            { "ICMPv6 code 1", Edit(Frames.Na(), f => f[55] = 1), DropReason.BadHeader },
            { "multicast target", Edit(Frames.Na(), f => f[62] = 0xFF), DropReason.BadHeader },
            { "payload length beyond the frame", Edit(Frames.Na(), f => f[19] = 200, fix: false), DropReason.Truncated },
            { "payload shorter than an advertisement", Edit(Frames.Na(), f => f[19] = 20), DropReason.Truncated },
            { "frame cut inside the IPv6 header", Frames.Na()[..40], DropReason.Truncated },
            { "frame cut inside the Ethernet header", Frames.Na()[..10], DropReason.Truncated },
            { "empty frame", [], DropReason.Truncated },
            { "a solicitation", Frames.Ns(), DropReason.NotRequest },
            { "next header UDP", Edit(Frames.Na(), f => f[20] = 17, fix: false), DropReason.NotIcmpv6 },
            { "ARP frame", Frames.Arp(), DropReason.WrongEtherType },
        };
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Reads_or_names_the_reason(string desc, byte[] frame, DropReason expected)
    {
        var reason = NeighborAdvertisementPacket.TryRead(frame, out var na);
        Assert.True(expected == reason, $"{desc}: expected {expected}, got {reason}");
        if (reason == DropReason.None)
        {
            Assert.NotEqual(UInt128.Zero, na.Target);
        }
    }

    [Fact]
    public void The_claimant_is_the_target_link_layer_option_else_the_ethernet_source()
    {
        // The option names another MAC than the frame's source (a proxy, or a forged claim): the option wins.
        var frame = Frames.Na(ethSrc: Rogue);
        Frames.Client.Write(frame.AsSpan(80));
        Frames.FixChecksum(frame);
        Assert.Equal(DropReason.None, NeighborAdvertisementPacket.TryRead(frame, out var na));
        Assert.Equal((Frames.V6("2001:db8:2::100"), (MacAddress?)Frames.Client, Frames.Client), (na.Target, na.TargetLinkLayer, na.Claimant));

        Assert.Equal(DropReason.None, NeighborAdvertisementPacket.TryRead(WithoutOption(Frames.Na(ethSrc: Rogue)), out na));
        Assert.Equal(((MacAddress?)null, Rogue), (na.TargetLinkLayer, na.Claimant));
        Assert.Equal(NeighborAdvertisement.FlagOverride, na.Flags);
    }

    /// <summary>The same advertisement with its 8-byte option cut off, lengths and checksum fixed.</summary>
    internal static byte[] WithoutOption(byte[] na)
    {
        var f = na[..^8];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(18), 24);
        return Frames.FixChecksum(f);
    }
}
