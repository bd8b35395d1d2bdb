using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// Which address, if any, a received frame claims, and who claims it: the conflict check of the responders and
/// of <see cref="LanProber"/>. Pure and allocation-free; frames from the interface's own MAC (as Ethernet source
/// or as the claimant) never claim. The <c>Read</c> methods say what a frame claims; the <c>Try</c> methods
/// also ask whether the address matters: announced in the table (on any interface; the claim names the one it
/// was seen on) or watched.
/// </summary>
internal static class ClaimClassifier
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryArp(ReadOnlySpan<byte> frame, MacAddress interfaceMac, AnnounceTable table, WatchedAddresses watched, out ClaimKind kind, out uint address, out MacAddress claimant) =>
        ReadArp(frame, interfaceMac, out kind, out address, out claimant)
        && (watched.ContainsV4(address) || table.FindV4(address) is not null);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryNdp(ReadOnlySpan<byte> frame, MacAddress interfaceMac, AnnounceTable table, WatchedAddresses watched, out ClaimKind kind, out UInt128 address, out MacAddress claimant) =>
        ReadNdp(frame, interfaceMac, out kind, out address, out claimant)
        && (watched.ContainsV6(address) || table.FindV6(address) is not null);

    /// <summary>What an ARP frame claims: replies and requests from a sender IP, announcements, probes.</summary>
    public static bool ReadArp(ReadOnlySpan<byte> frame, MacAddress interfaceMac, out ClaimKind kind, out uint address, out MacAddress claimant)
    {
        kind = default;
        address = 0;
        claimant = default;
        if (EthernetHeader.TryRead(frame, out var eth) != DropReason.None || eth.EtherType != EthernetHeader.EtherTypeArp
            || eth.Source == interfaceMac
            || ArpPacket.TryRead(frame[EthernetHeader.Length..], out var arp) != DropReason.None
            || arp.SenderMac == interfaceMac)
        {
            return false;
        }

        claimant = arp.SenderMac;
        (kind, address) = arp switch
        {
            { Operation: ArpPacket.OpReply, SenderIp: not 0 } => (ClaimKind.ArpReply, arp.SenderIp),
            { Operation: ArpPacket.OpRequest, SenderIp: 0, TargetIp: not 0 } => (ClaimKind.ArpProbe, arp.TargetIp),
            { Operation: ArpPacket.OpRequest, SenderIp: not 0 } when arp.SenderIp == arp.TargetIp => (ClaimKind.ArpAnnouncement, arp.SenderIp),
            { Operation: ArpPacket.OpRequest, SenderIp: not 0 } => (ClaimKind.ArpSender, arp.SenderIp),
            _ => (default(ClaimKind), 0u),
        };
        return address != 0;
    }

    /// <summary>
    /// What an IPv6 frame claims: a valid advertisement its target, a valid DAD probe (a solicitation from ::) its
    /// target. Ordinary solicitations, the responders' busiest frames, are let go after one look at the source.
    /// </summary>
    public static bool ReadNdp(ReadOnlySpan<byte> frame, MacAddress interfaceMac, out ClaimKind kind, out UInt128 address, out MacAddress claimant)
    {
        kind = default;
        address = UInt128.Zero;
        claimant = default;
        const int TypeOffset = EthernetHeader.Length + Ipv6Header.Length;
        if (frame.Length <= TypeOffset || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EthernetHeader.EtherTypeIpv6
            || MacAddress.Read(frame[6..]) == interfaceMac)
        {
            return false;
        }

        switch (frame[TypeOffset])
        {
            case Icmpv6.TypeNeighborAdvertisement when NeighborAdvertisementPacket.TryRead(frame, out var na) == DropReason.None:
                claimant = na.Claimant;
                kind = ClaimKind.NeighborAdvertisement;
                address = na.Target;
                break;
            case Icmpv6.TypeNeighborSolicitation when BinaryPrimitives.ReadUInt128BigEndian(frame[(EthernetHeader.Length + 8)..]) == UInt128.Zero
                && NeighborSolicitation.TryRead(frame, out var ns) == DropReason.None:
                claimant = ns.Ethernet.Source;
                kind = ClaimKind.DadProbe;
                address = ns.Target;
                break;
            default:
                return false;
        }

        return claimant != interfaceMac;
    }
}
