using System.Buffers.Binary;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The in-kernel ARP responder, the ARP part of <see cref="ReplyProgram"/>: turns a request for an address
/// in its map into the reply, in place, and sends it back out of the interface it came in on, inside the
/// same softirq in which the kernel answers for its own addresses. It answers only what <see cref="Responders.ArpResponder"/>
/// would answer, byte for byte the same reply (tests hold the two side by side); anything else, including
/// every frame it is unsure of, goes on to the stack untouched, where the userspace responder decides and
/// counts its drop reason, and the kernel answers for the node's own addresses as always. Announcements
/// (gratuitous requests) always go on, so the conflict check in userspace sees every claim they make.
/// </summary>
internal static class ArpReplyProgram
{
    public const string MapName = "ironlb_arp";

    /// <summary>Map key: the ingress interface index (host order), then the IPv4 address as on the wire.</summary>
    public const int KeySize = 8;

    // Frame offsets: Ethernet 0–13 (TcProgram), ARP from 14 (see ArpPacket).
    private const short ArpFormat = 14;    // htype, ptype
    private const short ArpLengthsOp = 18; // hlen, plen, op
    private const short ArpOp = 20;
    private const short ArpSha = 22;
    private const short ArpSpa = 28;
    private const short ArpTha = 32;
    private const short ArpTpa = 38;
    private const int FrameLength = ArpPacket.FrameLength;

    public static void WriteKey(Span<byte> key, int interfaceIndex, uint address)
    {
        BinaryPrimitives.WriteInt32LittleEndian(key, interfaceIndex);
        BinaryPrimitives.WriteUInt32BigEndian(key[4..], address);
    }

    /// <summary>
    /// Emits the ARP part of <see cref="ReplyProgram"/>: with R6 = the skb, answers from the map with file
    /// descriptor <paramref name="mapFd"/> while <paramref name="deadline"/> has not passed and exits, or
    /// jumps to <paramref name="pass"/>.
    /// </summary>
    public static void Emit(EbpfAssembler a, int mapFd, DeadlineGate deadline, EbpfAssembler.Label pass)
    {
        // Multi-byte loads and stores move bytes between the frame and the map unchanged, so compared
        // values are the wire bytes read little-endian: ethertype 08 06 compares as 0x0608, and so on.
        var unicastToUs = EbpfAssembler.NewLabel();
        var answer = EbpfAssembler.NewLabel();
        var send = EbpfAssembler.NewLabel();

        TcProgram.LoadFrame(a, FrameLength, pass);
        TcProgram.PassIfVlanTagged(a, pass);

        // Ethernet type ARP; ARP for Ethernet and IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4); a request.
        a.Load(Width.Half, Reg.R4, Reg.R2, TcProgram.EthType)
         .JumpIf(Condition.NotEqual, Reg.R4, 0x0608, pass)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpFormat)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0x0008_0100, pass)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpLengthsOp)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0x0100_0406, pass);

        // An announcement (sender IP = target IP) asks nothing: no reply is owed, and userspace must see it,
        // because it claims an address and the conflict check reports that.
        a.Load(Width.Word, Reg.R4, Reg.R2, ArpSpa)
         .Load(Width.Word, Reg.R5, Reg.R2, ArpTpa)
         .JumpIf(Condition.Equal, Reg.R4, Reg.R5, pass);

        // Is the target announced on this interface? Then load and bound the frame pointers again.
        TcProgram.LookupByInterfaceAnd(a, mapFd, ArpTpa, 4, pass);
        deadline.Emit(a, pass);
        TcProgram.LoadFrame(a, FrameLength, pass);
        TcProgram.PassIfOwnFrame(a, pass);

        // Destination: broadcast, or this interface's MAC.
        a.Load(Width.Word, Reg.R4, Reg.R2, TcProgram.EthDst)
         .Load(Width.Half, Reg.R5, Reg.R2, TcProgram.EthDst + 4)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0xFFFF_FFFF, unicastToUs)
         .JumpIf32(Condition.Equal, Reg.R5, 0xFFFF, answer)
         .Mark(unicastToUs);
        TcProgram.PassUnlessToInterfaceMac(a, pass);

        // The reply (as ArpPacket.WriteFrame): to the asker's hardware address, from ours, op 2, the
        // addresses swapped. Everything the rewrite reads is read before anything is written.
        a.Mark(answer)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpSha)
         .Load(Width.Half, Reg.R5, Reg.R2, ArpSha + 4)
         .Load(Width.Word, Reg.R8, Reg.R2, ArpSpa)
         .Load(Width.Word, Reg.R9, Reg.R2, ArpTpa)
         .Store(Width.Word, Reg.R2, TcProgram.EthDst, Reg.R4)
         .Store(Width.Half, Reg.R2, TcProgram.EthDst + 4, Reg.R5)
         .Store(Width.Word, Reg.R2, ArpTha, Reg.R4)
         .Store(Width.Half, Reg.R2, ArpTha + 4, Reg.R5)
         .Store(Width.Word, Reg.R2, ArpTpa, Reg.R8)
         .Store(Width.Word, Reg.R2, ArpSpa, Reg.R9)
         .Store(Width.Half, Reg.R2, ArpOp, 0x0200);
        TcProgram.StoreInterfaceMac(a, TcProgram.EthSrc);
        TcProgram.StoreInterfaceMac(a, ArpSha);

        // Drop the request's Ethernet padding, if any: the reply is 42 bytes, as the userspace one is.
        a.Load(Width.Word, Reg.R4, Reg.R6, TcProgram.SkbLen)
         .JumpIf(Condition.LessOrEqual, Reg.R4, FrameLength, send)
         .Mov(Reg.R1, Reg.R6)
         .Mov(Reg.R2, FrameLength)
         .Mov(Reg.R3, 0)
         .Call(TcProgram.HelperChangeTail)
         .Mark(send);
        TcProgram.CountAndSendBack(a);
    }
}
