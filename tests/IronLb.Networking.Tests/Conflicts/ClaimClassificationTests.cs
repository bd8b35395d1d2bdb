using System.Net;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Packets;
using IronLb.Networking.Tests.Packets;

namespace IronLb.Networking.Tests.Conflicts;

/// <summary>
/// The conflict check as table rows: frame kind x sender x where the address stands (announced here, announced
/// on another interface, watched, neither) -> the claim, or none. The address is 192.0.2.100 / 2001:db8:2::100;
/// the interface is eno2 with MAC <see cref="Frames.Node"/>; the rogue host is 02:00:00:00:00:ee.
/// </summary>
public sealed class ClaimClassificationTests
{
    private const string V4 = "192.0.2.100";
    private const string V6 = "2001:db8:2::100";
    private static readonly MacAddress Rogue = MacAddress.Parse("02:00:00:00:00:ee");

    /// <summary>Where the address stands in the responder's view.</summary>
    public enum Standing
    {
        Announced,
        AnnouncedElsewhere,
        Watched,
        Neither,
    }

    public static TheoryData<string, byte[], Standing, ClaimKind?, string?> Rows()
    {
        var rogue = Rogue.ToString();
        var client = Frames.Client.ToString();
        var naOtherOption = Frames.Na(ethSrc: Rogue);
        Frames.Client.Write(naOtherOption.AsSpan(80));
        Frames.FixChecksum(naOtherOption);
        var naOwnOption = Frames.Na(ethSrc: Rogue);
        Frames.Node.Write(naOwnOption.AsSpan(80));
        Frames.FixChecksum(naOwnOption);
        var naBadChecksum = Frames.Na(ethSrc: Rogue);
        naBadChecksum[56] ^= 0xFF;
        return new TheoryData<string, byte[], Standing, ClaimKind?, string?>
        {
            // ARP: what each frame says, for an announced address.
            { "ARP reply from the address", Frames.Arp(op: ArpPacket.OpReply, sender: V4, target: "192.0.2.1", ethSrc: Rogue), Standing.Announced, ClaimKind.ArpReply, rogue },
            { "gratuitous ARP reply (sender = target)", Frames.Arp(op: ArpPacket.OpReply, sender: V4, target: V4, ethSrc: Rogue), Standing.Announced, ClaimKind.ArpReply, rogue },
            { "gratuitous ARP request", Frames.Arp(sender: V4, target: V4, ethSrc: Rogue), Standing.Announced, ClaimKind.ArpAnnouncement, rogue },
            { "request from the address for another", Frames.Arp(sender: V4, target: "192.0.2.1", ethSrc: Rogue), Standing.Announced, ClaimKind.ArpSender, rogue },
            { "ARP probe for the address", Frames.Arp(sender: "0.0.0.0", target: V4, ethSrc: Rogue), Standing.Announced, ClaimKind.ArpProbe, rogue },
            { "ordinary request for the address (a client asking)", Frames.Arp(target: V4), Standing.Announced, null, null },
            { "ARP reply from another address", Frames.Arp(op: ArpPacket.OpReply, sender: "192.0.2.1", target: V4, ethSrc: Rogue), Standing.Announced, null, null },
            { "ARP reply from 0.0.0.0", Frames.Arp(op: ArpPacket.OpReply, sender: "0.0.0.0", target: V4, ethSrc: Rogue), Standing.Announced, null, null },
            { "ARP probe for 0.0.0.0", Frames.Arp(sender: "0.0.0.0", target: "0.0.0.0", ethSrc: Rogue), Standing.Announced, null, null },
            { "sender hardware address other than the Ethernet source: the ARP one claims", Frames.Arp(sender: V4, target: V4, ethSrc: Rogue, senderMac: Frames.Client), Standing.Announced, ClaimKind.ArpAnnouncement, client },

            // ARP: who sent it.
            { "our own announcement (Ethernet source ours)", Frames.Arp(sender: V4, target: V4, ethSrc: Frames.Node), Standing.Announced, null, null },
            { "our MAC as ARP sender behind another source", Frames.Arp(op: ArpPacket.OpReply, sender: V4, target: "192.0.2.1", ethSrc: Rogue, senderMac: Frames.Node), Standing.Announced, null, null },

            // ARP: where the address stands.
            { "ARP reply, address announced on another interface only", Frames.Arp(op: ArpPacket.OpReply, sender: V4, target: "192.0.2.1", ethSrc: Rogue), Standing.AnnouncedElsewhere, ClaimKind.ArpReply, rogue },
            { "ARP reply, address watched", Frames.Arp(op: ArpPacket.OpReply, sender: V4, target: "192.0.2.1", ethSrc: Rogue), Standing.Watched, ClaimKind.ArpReply, rogue },
            { "ARP probe, address watched", Frames.Arp(sender: "0.0.0.0", target: V4, ethSrc: Rogue), Standing.Watched, ClaimKind.ArpProbe, rogue },
            { "gratuitous ARP, address neither announced nor watched", Frames.Arp(sender: V4, target: V4, ethSrc: Rogue), Standing.Neither, null, null },

            // ARP: malformed.
            { "ARP cut short", Frames.Arp(sender: V4, target: V4, ethSrc: Rogue)[..30], Standing.Announced, null, null },

            // NDP: what each frame says.
            { "unsolicited advertisement with the rogue's option", Frames.Na(ethSrc: Rogue), Standing.Announced, ClaimKind.NeighborAdvertisement, rogue },
            { "solicited advertisement, unicast", Frames.Na(ethSrc: Rogue, flags: NeighborAdvertisement.FlagSolicited, ethDst: Frames.Node, destination: "2001:db8:2::1"), Standing.Announced, ClaimKind.NeighborAdvertisement, rogue },
            { "advertisement without an option: the Ethernet source claims", NeighborAdvertisementParserTests.WithoutOption(Frames.Na(ethSrc: Rogue)), Standing.Announced, ClaimKind.NeighborAdvertisement, rogue },
            { "advertisement whose option names another MAC: the option claims", naOtherOption, Standing.Announced, ClaimKind.NeighborAdvertisement, client },
            { "DAD probe for the address", Frames.Ns(source: "::", withSll: false, ethSrc: Rogue), Standing.Announced, ClaimKind.DadProbe, rogue },
            { "ordinary solicitation for the address (a client asking)", Frames.Ns(), Standing.Announced, null, null },
            { "solicitation from the address itself (not a kind we report)", Frames.Ns(source: V6, target: "2001:db8:2::1", ethSrc: Rogue), Standing.Announced, null, null },
            { "advertisement for another address", Frames.Na(target: "2001:db8:2::200", ethSrc: Rogue), Standing.Announced, null, null },
            { "advertisement with a bad checksum", naBadChecksum, Standing.Announced, null, null },
            { "advertisement solicited yet multicast (invalid)", Frames.Na(ethSrc: Rogue, flags: NeighborAdvertisement.FlagSolicited), Standing.Announced, null, null },
            { "DAD probe carrying a link-layer option (invalid)", Frames.Ns(source: "::", withSll: true, ethSrc: Rogue), Standing.Announced, null, null },

            // NDP: who sent it.
            { "our own advertisement", Frames.Na(ethSrc: Frames.Node), Standing.Announced, null, null },
            { "advertisement naming our MAC in its option", naOwnOption, Standing.Announced, null, null },

            // NDP: where the address stands.
            { "advertisement, address announced on another interface only", Frames.Na(ethSrc: Rogue), Standing.AnnouncedElsewhere, ClaimKind.NeighborAdvertisement, rogue },
            { "DAD probe, address watched", Frames.Ns(source: "::", withSll: false, ethSrc: Rogue), Standing.Watched, ClaimKind.DadProbe, rogue },
            { "advertisement, address neither announced nor watched", Frames.Na(ethSrc: Rogue), Standing.Neither, null, null },

            // Neither protocol.
            { "empty frame", [], Standing.Announced, null, null },
            { "advertisement cut after the type", Frames.Na(ethSrc: Rogue)[..55], Standing.Announced, null, null },
        };
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Frame_claims_what_the_row_says(string desc, byte[] frame, Standing standing, ClaimKind? expected, string? claimant)
    {
        var (table, watched) = standing switch
        {
            Standing.Announced => (Table("eno2"), WatchedAddresses.Empty),
            Standing.AnnouncedElsewhere => (Table("eno3"), WatchedAddresses.Empty),
            Standing.Watched => (AnnounceTable.Empty, WatchedAddresses.Create([IPAddress.Parse(V4), IPAddress.Parse(V6)])),
            _ => (AnnounceTable.Empty, WatchedAddresses.Empty),
        };

        var arp = ClaimClassifier.TryArp(frame, Frames.Node, table, watched, out var arpKind, out var v4, out var arpClaimant);
        var ndp = ClaimClassifier.TryNdp(frame, Frames.Node, table, watched, out var ndpKind, out var v6, out var ndpClaimant);
        Assert.False(arp && ndp, $"{desc}: claimed by both protocols");
        ClaimKind? kind = arp ? arpKind : ndp ? ndpKind : null;
        Assert.True(expected == kind, $"{desc}: expected {expected?.ToString() ?? "no claim"}, got {kind?.ToString() ?? "no claim"}");
        if (arp)
        {
            Assert.Equal((Frames.V4(V4), claimant), (v4, arpClaimant.ToString()));
        }

        if (ndp)
        {
            Assert.Equal((Frames.V6(V6), claimant), (v6, ndpClaimant.ToString()));
        }
    }

    [Fact]
    public void Watched_addresses_normalise_mapped_ipv4_and_ignore_scope()
    {
        var watched = WatchedAddresses.Create([IPAddress.Parse("::ffff:192.0.2.100"), IPAddress.Parse("2001:db8:2::100%3")]);
        Assert.True(watched.ContainsV4(Frames.V4(V4)));
        Assert.True(watched.ContainsV6(Frames.V6(V6)));
        Assert.Equal(2, watched.Count);
        Assert.Same(WatchedAddresses.Empty, WatchedAddresses.Create([]));
    }

    private static AnnounceTable Table(string interfaceName) =>
        AnnounceTable.Empty.With(IPAddress.Parse(V4), InterfaceSelection.Only(interfaceName)).With(IPAddress.Parse(V6), InterfaceSelection.Only(interfaceName));
}
