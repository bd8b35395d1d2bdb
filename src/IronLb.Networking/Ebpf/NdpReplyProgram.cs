using System.Buffers.Binary;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The in-kernel NDP responder, the NDP part of <see cref="ReplyProgram"/>, as <see cref="ArpReplyProgram"/>
/// is for IPv4: a neighbour solicitation for an address in its map becomes the advertisement
/// <see cref="Responders.NdpResponder"/> would send, in place.
/// It takes only the usual shape (one source link-layer option, nothing after it); every other solicitation
/// goes on to the userspace responder, which handles the rest of RFC 4861 and counts the drop reasons.
/// </summary>
internal static class NdpReplyProgram
{
    public const string MapName = "ironlb_ndp";

    /// <summary>Map key: the ingress interface index (host order), then the IPv6 address as on the wire.</summary>
    public const int KeySize = 20;

    // Frame offsets: Ethernet 0–13 (TcProgram), IPv6 14–53, ICMPv6 from 54 (type, code, checksum, flags, target, option).
    private const short IpVersion = 14;
    private const short IpLengthNextHop = 18; // payload length, next header, hop limit
    private const short IpSource = 22;
    private const short IpDestination = 38;
    private const short IcmpType = 54;
    private const short IcmpChecksum = 56;
    private const short IcmpFlags = 58;
    private const short Target = 62;
    private const short Option = 78;
    private const short OptionMac = 80;
    private const int FrameLength = NeighborAdvertisement.FrameLength;

    /// <summary>
    /// The pseudo-header's upper-layer length (32) and next header (58), each a big-endian 32-bit word,
    /// as the little-endian sum of csum_diff sees them.
    /// </summary>
    private const int PseudoHeaderRest = 0x2000_0000 + 0x3A00_0000;

    public static void WriteKey(Span<byte> key, int interfaceIndex, UInt128 address)
    {
        BinaryPrimitives.WriteInt32LittleEndian(key, interfaceIndex);
        BinaryPrimitives.WriteUInt128BigEndian(key[4..], address);
    }

    /// <summary>
    /// Emits the NDP part of <see cref="ReplyProgram"/>: with R6 = the skb, answers from the map with file
    /// descriptor <paramref name="mapFd"/> while <paramref name="deadline"/> has not passed and exits, or
    /// jumps to <paramref name="pass"/>.
    /// </summary>
    public static void Emit(EbpfAssembler a, int mapFd, DeadlineGate deadline, EbpfAssembler.Label pass)
    {
        var notSolicitedNode = EbpfAssembler.NewLabel();
        var checkEthernet = EbpfAssembler.NewLabel();
        var notMulticastMac = EbpfAssembler.NewLabel();
        var answer = EbpfAssembler.NewLabel();

        TcProgram.LoadFrame(a, FrameLength, pass);
        TcProgram.PassIfVlanTagged(a, pass);

        // Exactly an NS with one source link-layer option: 86 bytes, ethertype IPv6, version 6, payload 32,
        // next header ICMPv6, hop limit 255, type 135 code 0, option type 1 length 1.
        a.Load(Width.Word, Reg.R4, Reg.R6, TcProgram.SkbLen)
         .JumpIf(Condition.NotEqual, Reg.R4, FrameLength, pass)
         .Load(Width.Half, Reg.R4, Reg.R2, TcProgram.EthType)
         .JumpIf(Condition.NotEqual, Reg.R4, 0xDD86, pass)
         .Load(Width.Byte, Reg.R4, Reg.R2, IpVersion)
         .And(Reg.R4, 0xF0)
         .JumpIf(Condition.NotEqual, Reg.R4, 0x60, pass)
         .Load(Width.Word, Reg.R4, Reg.R2, IpLengthNextHop)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0xFF3A_2000, pass)
         .Load(Width.Half, Reg.R4, Reg.R2, IcmpType)
         .JumpIf(Condition.NotEqual, Reg.R4, 0x0087, pass)
         .Load(Width.Half, Reg.R4, Reg.R2, Option)
         .JumpIf(Condition.NotEqual, Reg.R4, 0x0101, pass);

        // A multicast target is invalid; a source of :: is a DAD probe, which gets no unicast answer.
        a.Load(Width.Byte, Reg.R4, Reg.R2, Target)
         .JumpIf(Condition.Equal, Reg.R4, 0xFF, pass)
         .Load(Width.Word, Reg.R4, Reg.R2, IpSource);
        for (short i = 4; i < 16; i += 4)
        {
            a.Load(Width.Word, Reg.R5, Reg.R2, (short)(IpSource + i)).Or(Reg.R4, Reg.R5);
        }

        a.JumpIf(Condition.Equal, Reg.R4, 0, pass);

        // The checksum over the pseudo-header and the message must verify (sum 0xFFFF).
        SumPseudoHeaderAndMessage(a, pass);
        a.JumpIf(Condition.NotEqual, Reg.R0, 0xFFFF, pass);

        // Is the target announced on this interface? (The checksum's calls invalidated the frame pointers.)
        TcProgram.LoadFrame(a, FrameLength, pass);
        TcProgram.LookupByInterfaceAnd(a, mapFd, Target, 16, pass);
        deadline.Emit(a, pass);
        TcProgram.LoadFrame(a, FrameLength, pass);
        TcProgram.PassIfOwnFrame(a, pass);

        // IPv6 destination: the target's solicited-node group ff02::1:ffXX:XXXX, or the target itself.
        a.Load(Width.Word, Reg.R4, Reg.R2, IpDestination)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0x0000_02FF, notSolicitedNode)
         .Load(Width.Word, Reg.R4, Reg.R2, IpDestination + 4)
         .JumpIf(Condition.NotEqual, Reg.R4, 0, notSolicitedNode)
         .Load(Width.Word, Reg.R4, Reg.R2, IpDestination + 8)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0x0100_0000, notSolicitedNode)
         .Load(Width.Word, Reg.R4, Reg.R2, IpDestination + 12)
         .Mov(Reg.R5, Reg.R4)
         .And(Reg.R5, 0xFF)
         .JumpIf(Condition.NotEqual, Reg.R5, 0xFF, notSolicitedNode)
         .ShiftRight(Reg.R4, 8)
         .Load(Width.Word, Reg.R5, Reg.R2, Target + 12)
         .ShiftRight(Reg.R5, 8)
         .JumpIf(Condition.Equal, Reg.R4, Reg.R5, checkEthernet)
         .Mark(notSolicitedNode);
        for (short i = 0; i < 16; i += 4)
        {
            a.Load(Width.Word, Reg.R4, Reg.R2, (short)(IpDestination + i))
             .Load(Width.Word, Reg.R5, Reg.R2, (short)(Target + i))
             .JumpIf(Condition.NotEqual, Reg.R4, Reg.R5, pass);
        }

        // Ethernet destination: the IPv6 destination's multicast MAC (33:33 and its last four bytes), or ours.
        a.Mark(checkEthernet)
         .Load(Width.Half, Reg.R4, Reg.R2, TcProgram.EthDst)
         .JumpIf(Condition.NotEqual, Reg.R4, 0x3333, notMulticastMac)
         .Load(Width.Word, Reg.R4, Reg.R2, TcProgram.EthDst + 2)
         .Load(Width.Word, Reg.R5, Reg.R2, IpDestination + 12)
         .JumpIf(Condition.Equal, Reg.R4, Reg.R5, answer)
         .Mark(notMulticastMac);
        TcProgram.PassUnlessToInterfaceMac(a, pass);

        // The advertisement (as NeighborAdvertisement.WriteFrame with the Solicited flag): to the asker's
        // link-layer address from its option, from the target to the asker's address, target option = ours.
        a.Mark(answer)
         .Load(Width.Word, Reg.R4, Reg.R2, OptionMac)
         .Store(Width.Word, Reg.R2, TcProgram.EthDst, Reg.R4)
         .Load(Width.Half, Reg.R4, Reg.R2, OptionMac + 4)
         .Store(Width.Half, Reg.R2, TcProgram.EthDst + 4, Reg.R4);
        TcProgram.StoreInterfaceMac(a, TcProgram.EthSrc);
        a.Store(Width.Word, Reg.R2, IpVersion, 0x60);
        TcProgram.CopyWords(a, IpSource, IpDestination, 16);
        TcProgram.CopyWords(a, Target, IpSource, 16);
        a.Store(Width.Half, Reg.R2, IcmpType, 0x0088)
         .Store(Width.Half, Reg.R2, IcmpChecksum, 0)
         .Store(Width.Word, Reg.R2, IcmpFlags, NeighborAdvertisement.FlagSolicited)
         .Store(Width.Half, Reg.R2, Option, 0x0102);
        TcProgram.StoreInterfaceMac(a, OptionMac);

        // Its checksum: the complement of the folded sum, stored as summed (the byte order works out).
        SumPseudoHeaderAndMessage(a, pass);
        a.Xor(Reg.R0, 0xFFFF);
        TcProgram.LoadFrame(a, FrameLength, pass);
        a.Store(Width.Half, Reg.R2, IcmpChecksum, Reg.R0);

        // Whatever checksum state the request carried (a partial checksum from a local sender would make the
        // transmit path rewrite ours), the reply's checksum is complete: say so.
        a.Mov(Reg.R1, Reg.R6)
         .Mov(Reg.R2, TcProgram.CsumLevelReset)
         .Call(TcProgram.HelperCsumLevel);
        TcProgram.CountAndSendBack(a);
    }

    /// <summary>
    /// R0 = the one's-complement sum, folded to 16 bits, of the addresses (bytes 22–53), the pseudo-header's
    /// length and next header, and the 32-byte message: two bpf_csum_diff calls. Clobbers R1–R5 and R8.
    /// </summary>
    private static void SumPseudoHeaderAndMessage(EbpfAssembler a, EbpfAssembler.Label pass)
    {
        a.Mov(Reg.R8, 0);
        foreach (var offset in new[] { IpSource, IcmpType })
        {
            TcProgram.LoadFrame(a, FrameLength, pass);
            a.Mov(Reg.R3, Reg.R2)
             .Add(Reg.R3, offset)
             .Mov(Reg.R1, 0)
             .Mov(Reg.R2, 0)
             .Mov(Reg.R4, 32)
             .Mov(Reg.R5, Reg.R8)
             .Call(TcProgram.HelperCsumDiff)
             .Mov(Reg.R8, Reg.R0);
        }

        a.Add(Reg.R0, PseudoHeaderRest);
        for (var i = 0; i < 3; i++)
        {
            a.Mov(Reg.R1, Reg.R0)
             .ShiftRight(Reg.R1, 16)
             .And(Reg.R0, 0xFFFF)
             .Add(Reg.R0, Reg.R1);
        }
    }
}
