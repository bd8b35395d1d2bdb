using System.Net;
using System.Text;
using IronLb.Networking;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// The ARP and NDP responders' whole decision on one received frame, and the sysfs/procfs text parsers, as the arp,
/// ndp and sysfs fuzz targets and PacketFuzzReplayTests all run them (this file is compiled into both). A responder
/// answers with a reply exactly when its reason is <see cref="DropReason.None"/>, and the reply fits.
/// </summary>
internal static class NetworkingExercises
{
    public static void Arp(ReadOnlySpan<byte> input)
    {
        Span<byte> reply = stackalloc byte[128];
        var reason = ResponderFixture.Arp.Process(input, ResponderFixture.Table, reply, out var length, out _);
        Check(reason, length, reply.Length);
    }

    public static void Ndp(ReadOnlySpan<byte> input)
    {
        Span<byte> reply = stackalloc byte[256];
        var reason = ResponderFixture.Ndp.Process(input, ResponderFixture.Table, reply, out var length, out _);
        Check(reason, length, reply.Length);
    }

    /// <summary>
    /// The advertisement reader and the conflict check's view of a received IPv6 frame: a valid advertisement has a
    /// unicast target, and the check claims an address exactly when the reader (or the solicitation reader, for a
    /// DAD probe) accepted the frame with that target.
    /// </summary>
    public static void Advertisement(ReadOnlySpan<byte> input)
    {
        var reason = NeighborAdvertisementPacket.TryRead(input, out var na);
        if (reason == DropReason.None && Ipv6Header.IsMulticast(na.Target))
        {
            throw new ContractViolationException("an accepted advertisement has a multicast target");
        }

        if (ClaimClassifier.ReadNdp(input, ResponderFixture.InterfaceMac, out var kind, out var address, out var claimant))
        {
            var agrees = kind switch
            {
                ClaimKind.NeighborAdvertisement => reason == DropReason.None && address == na.Target && claimant == na.Claimant,
                ClaimKind.DadProbe => NeighborSolicitation.TryRead(input, out var ns) == DropReason.None && ns.Ip.Source == UInt128.Zero && address == ns.Target,
                _ => false,
            };
            if (!agrees || claimant == ResponderFixture.InterfaceMac)
            {
                throw new ContractViolationException($"claim {kind} for an address the readers do not agree on");
            }
        }
    }

    public static void Sysfs(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        _ = SysfsParser.ParseFlags(text);
        _ = SysfsParser.ParseInt(text);
        _ = SysfsParser.ParseMac(text);
        _ = SysfsParser.ParseLinkLocals(text);
    }

    private static void Check(DropReason reason, int length, int room)
    {
        if ((reason == DropReason.None) != (length > 0) || length > room)
        {
            throw new ContractViolationException($"reason {reason} with a reply of {length} bytes");
        }
    }
}

/// <summary>What the responders answer for (192.0.2.10 and 2001:db8::10 on every interface); a class of its own so it
/// is built on first use, inside the fuzzer's loop: instrumented code must not run before SharpFuzz starts.</summary>
internal static class ResponderFixture
{
    public static readonly MacAddress InterfaceMac = new(0x02_00_00_00_00_01UL);

    public static readonly AnnounceTable Table = AnnounceTable.Create(
    [
        KeyValuePair.Create(IPAddress.Parse("192.0.2.10"), InterfaceSelection.All),
        KeyValuePair.Create(IPAddress.Parse("2001:db8::10"), InterfaceSelection.All),
    ]);

    public static readonly ArpResponder Arp = new("fuzz0", InterfaceMac);

    public static readonly NdpResponder Ndp = new("fuzz0", InterfaceMac);
}
