using System.Runtime.CompilerServices;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Responders;

/// <summary>
/// The ARP decision for one interface (MetalLB §4.7), pure: frame in, reason and reply out. No lock, no
/// allocation; the caller passes the table it read once from the volatile field.
/// </summary>
internal sealed class ArpResponder(string interfaceName, MacAddress interfaceMac)
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
        var reason = EthernetHeader.TryRead(frame, out var eth);
        if (reason != DropReason.None)
        {
            return reason;
        }

        if (eth.EtherType != EthernetHeader.EtherTypeArp)
        {
            return DropReason.WrongEtherType;
        }

        if (eth.Source == InterfaceMac)
        {
            return DropReason.OwnFrame;
        }

        reason = ArpPacket.TryRead(frame[EthernetHeader.Length..], out var arp);
        if (reason != DropReason.None)
        {
            return reason;
        }

        if (arp.Operation != ArpPacket.OpRequest)
        {
            return DropReason.NotRequest;
        }

        // A gratuitous request announces its sender's address rather than asking for one: answering it would
        // tell its sender nothing, and the kernel's program hands it on for the conflict check too.
        if (arp.SenderIp == arp.TargetIp)
        {
            return DropReason.Announcement;
        }

        if (!eth.Destination.IsBroadcast && eth.Destination != InterfaceMac)
        {
            return DropReason.WrongDestination;
        }

        entry = table.FindV4(arp.TargetIp);
        reason = AnnounceTable.Check(entry, InterfaceName);
        if (reason != DropReason.None)
        {
            return reason;
        }

        // Unicast reply to the asker; answered even for probes from 0.0.0.0, as MetalLB does.
        replyLength = new ArpPacket(ArpPacket.OpReply, InterfaceMac, arp.TargetIp, arp.SenderMac, arp.SenderIp)
            .WriteFrame(reply, arp.SenderMac, InterfaceMac);
        return DropReason.None;
    }

    /// <summary>Gratuitous ARP (§4.7): a request and a reply to broadcast, sender = target = the service address.</summary>
    public int WriteGratuitous(Span<byte> frame, uint address, ushort operation) =>
        new ArpPacket(operation, InterfaceMac, address, MacAddress.Broadcast, address).WriteFrame(frame, MacAddress.Broadcast, InterfaceMac);
}
