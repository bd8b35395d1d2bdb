using System.Runtime.CompilerServices;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Responders;

/// <summary>The NDP decision for one interface (MetalLB §4.8), pure like <see cref="ArpResponder"/>.</summary>
internal sealed class NdpResponder(string interfaceName, MacAddress interfaceMac)
{
    /// <summary>Interned: see <see cref="InterfaceSelection.Only(IEnumerable{string})"/>.</summary>
    public string InterfaceName { get; } = string.Intern(interfaceName);

    public MacAddress InterfaceMac { get; } = interfaceMac;

    // Compiled optimised on first use: the first request after a takeover must not run tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DropReason Process(ReadOnlySpan<byte> frame, AnnounceTable table, Span<byte> reply, out int replyLength, out AnnounceEntry? entry)
    {
        replyLength = 0;
        entry = null;
        if (frame.Length >= EthernetHeader.Length && MacAddress.Read(frame[6..]) == InterfaceMac)
        {
            return DropReason.OwnFrame;
        }

        var reason = NeighborSolicitation.TryRead(frame, out var ns);
        if (reason != DropReason.None)
        {
            return reason;
        }

        // Solicitations go to the target's solicited-node group, or unicast to the target for reachability checks.
        var solicitedNode = Ipv6Header.SolicitedNode(ns.Target);
        var dst = ns.Ip.Destination;
        if (dst != solicitedNode && dst != ns.Target)
        {
            return DropReason.WrongDestination;
        }

        var ethDst = ns.Ethernet.Destination;
        if (ethDst != InterfaceMac && ethDst != MacAddress.ForIpv6Multicast(dst))
        {
            return DropReason.WrongDestination;
        }

        // Like MetalLB: without the asker's MAC (DAD from ::) there is no one to answer unicast.
        if (ns.SourceLinkLayer is not { } askerMac || ns.Ip.Source == UInt128.Zero)
        {
            return DropReason.NoSourceLinkLayer;
        }

        entry = table.FindV6(ns.Target);
        reason = AnnounceTable.Check(entry, InterfaceName);
        if (reason != DropReason.None)
        {
            return reason;
        }

        // Solicited, not override, not router (§4.8), unicast to the asker.
        replyLength = NeighborAdvertisement.WriteFrame(reply, askerMac, InterfaceMac, ns.Target, ns.Ip.Source, NeighborAdvertisement.FlagSolicited);
        return DropReason.None;
    }

    /// <summary>Unsolicited NA to ff02::1 with Override (§4.8), so neighbours replace the cached MAC.</summary>
    public int WriteUnsolicited(Span<byte> frame, UInt128 address) =>
        NeighborAdvertisement.WriteFrame(frame, MacAddress.AllNodes, InterfaceMac, address, Ipv6Header.AllNodes, NeighborAdvertisement.FlagOverride);
}
