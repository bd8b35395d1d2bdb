using System.Buffers.Binary;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The in-kernel ARP responder: a tc ingress program that turns a request for an address in its map into
/// the reply, in place, and sends it back out of the interface it came in on, inside the same softirq in
/// which the kernel answers for its own addresses. It answers only what <see cref="Responders.ArpResponder"/>
/// would answer, byte for byte the same reply (tests hold the two side by side); anything else, including
/// every frame it is unsure of, goes on to the stack untouched, where the userspace responder decides and
/// counts its drop reason, and the kernel answers for the node's own addresses as always.
/// </summary>
internal static class ArpReplyProgram
{
    public const string Name = "ironlb_arp";

    /// <summary>Verdicts: TCX_NEXT (also TC_ACT_UNSPEC) hands the frame on; TC_ACT_REDIRECT is what bpf_redirect returns.</summary>
    public const int VerdictNext = -1;

    public const int VerdictRedirect = 7;

    /// <summary>Map key: the ingress interface index (host order), then the IPv4 address as on the wire.</summary>
    public const int KeySize = 8;

    /// <summary>Map value: the interface MAC (6 bytes, 2 padding), then the count of replies sent (u64).</summary>
    public const int ValueSize = 16;

    public const int AnsweredOffset = 8;

    // struct __sk_buff fields the program reads.
    private const short SkbLen = 0;
    private const short SkbVlanPresent = 20;
    private const short SkbIfIndex = 40;
    private const short SkbData = 76;
    private const short SkbDataEnd = 80;

    private const int HelperMapLookup = 1;
    private const int HelperRedirect = 23;
    private const int HelperChangeTail = 38;

    // Frame offsets: Ethernet 0–13, ARP from 14 (see ArpPacket).
    private const short EthDst = 0;
    private const short EthSrc = 6;
    private const short EthType = 12;
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

    public static void WriteValue(Span<byte> value, MacAddress mac)
    {
        value[..ValueSize].Clear();
        mac.Write(value);
    }

    public static long ReadAnswered(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value[AnsweredOffset..]);

    /// <summary>The program, reading its addresses from the map with file descriptor <paramref name="mapFd"/>.</summary>
    public static EbpfInstruction[] Build(int mapFd)
    {
        // Multi-byte loads and stores below move bytes between the frame and the map unchanged, so their
        // values are the wire bytes read little-endian: ethertype 08 06 compares as 0x0608, and so on.
        var a = new EbpfAssembler();
        var pass = EbpfAssembler.NewLabel();
        var checkDestination = EbpfAssembler.NewLabel();
        var unicastToUs = EbpfAssembler.NewLabel();
        var answer = EbpfAssembler.NewLabel();
        var send = EbpfAssembler.NewLabel();

        a.Mov(Reg.R6, Reg.R1);                                      // r6 = skb, kept across calls
        LoadFrame(a, pass);                                         // r2 = frame, at least 42 bytes

        // A frame that arrived with a VLAN tag belongs to the VLAN's interface: not ours to answer here.
        a.Load(Width.Word, Reg.R4, Reg.R6, SkbVlanPresent)
         .JumpIf(Condition.NotEqual, Reg.R4, 0, pass);

        // Ethernet type ARP; ARP for Ethernet and IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4); a request.
        a.Load(Width.Half, Reg.R4, Reg.R2, EthType)
         .JumpIf(Condition.NotEqual, Reg.R4, 0x0608, pass)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpFormat)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0x0008_0100, pass)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpLengthsOp)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0x0100_0406, pass);

        // Is the target announced on this interface? key = { ifindex, target address } on the stack.
        a.Load(Width.Word, Reg.R4, Reg.R6, SkbIfIndex)
         .Store(Width.Word, Reg.R10, -8, Reg.R4)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpTpa)
         .Store(Width.Word, Reg.R10, -4, Reg.R4)
         .LoadMap(Reg.R1, mapFd)
         .Mov(Reg.R2, Reg.R10)
         .Add(Reg.R2, -8)
         .Call(HelperMapLookup)
         .JumpIf(Condition.Equal, Reg.R0, 0, pass)
         .Mov(Reg.R7, Reg.R0);                                      // r7 = { mac, answered }

        // The call invalidated the frame pointers: load and bound them again.
        LoadFrame(a, pass);

        // Our own frame (source MAC = the interface's): never answered.
        a.Load(Width.Word, Reg.R4, Reg.R2, EthSrc)
         .Load(Width.Word, Reg.R5, Reg.R7, 0)
         .JumpIf(Condition.NotEqual, Reg.R4, Reg.R5, checkDestination)
         .Load(Width.Half, Reg.R4, Reg.R2, EthSrc + 4)
         .Load(Width.Half, Reg.R5, Reg.R7, 4)
         .JumpIf(Condition.Equal, Reg.R4, Reg.R5, pass);

        // Destination: broadcast, or this interface's MAC.
        a.Mark(checkDestination)
         .Load(Width.Word, Reg.R4, Reg.R2, EthDst)
         .Load(Width.Half, Reg.R5, Reg.R2, EthDst + 4)
         .JumpIf32(Condition.NotEqual, Reg.R4, 0xFFFF_FFFF, unicastToUs)
         .JumpIf32(Condition.Equal, Reg.R5, 0xFFFF, answer)
         .Mark(unicastToUs)
         .Load(Width.Word, Reg.R8, Reg.R7, 0)
         .JumpIf(Condition.NotEqual, Reg.R4, Reg.R8, pass)
         .Load(Width.Half, Reg.R8, Reg.R7, 4)
         .JumpIf(Condition.NotEqual, Reg.R5, Reg.R8, pass);

        // The reply (as ArpPacket.WriteFrame): to the asker's hardware address, from ours, op 2, the
        // addresses swapped. Everything the rewrite reads is read before anything is written.
        a.Mark(answer)
         .Load(Width.Word, Reg.R4, Reg.R2, ArpSha)
         .Load(Width.Half, Reg.R5, Reg.R2, ArpSha + 4)
         .Load(Width.Word, Reg.R8, Reg.R2, ArpSpa)
         .Load(Width.Word, Reg.R9, Reg.R2, ArpTpa)
         .Store(Width.Word, Reg.R2, EthDst, Reg.R4)
         .Store(Width.Half, Reg.R2, EthDst + 4, Reg.R5)
         .Store(Width.Word, Reg.R2, ArpTha, Reg.R4)
         .Store(Width.Half, Reg.R2, ArpTha + 4, Reg.R5)
         .Store(Width.Word, Reg.R2, ArpTpa, Reg.R8)
         .Store(Width.Word, Reg.R2, ArpSpa, Reg.R9)
         .Load(Width.Word, Reg.R4, Reg.R7, 0)
         .Load(Width.Half, Reg.R5, Reg.R7, 4)
         .Store(Width.Word, Reg.R2, EthSrc, Reg.R4)
         .Store(Width.Half, Reg.R2, EthSrc + 4, Reg.R5)
         .Store(Width.Word, Reg.R2, ArpSha, Reg.R4)
         .Store(Width.Half, Reg.R2, ArpSha + 4, Reg.R5)
         .Store(Width.Half, Reg.R2, ArpOp, 0x0200);

        // Count it (the speaker turns these into metallb_layer2_requests_received/responses_sent).
        a.Mov(Reg.R4, 1)
         .AtomicAdd(Reg.R7, AnsweredOffset, Reg.R4);

        // Drop the request's Ethernet padding, if any: the reply is 42 bytes, as the userspace one is.
        a.Load(Width.Word, Reg.R4, Reg.R6, SkbLen)
         .JumpIf(Condition.LessOrEqual, Reg.R4, FrameLength, send)
         .Mov(Reg.R1, Reg.R6)
         .Mov(Reg.R2, FrameLength)
         .Mov(Reg.R3, 0)
         .Call(HelperChangeTail);

        // Out of the interface it came in on; bpf_redirect returns TC_ACT_REDIRECT.
        a.Mark(send)
         .Load(Width.Word, Reg.R1, Reg.R6, SkbIfIndex)
         .Mov(Reg.R2, 0)
         .Call(HelperRedirect)
         .Exit();

        a.Mark(pass)
         .Mov(Reg.R0, VerdictNext)
         .Exit();
        return a.Build();
    }

    /// <summary>r2 = skb data, r3 = data_end, and on to <paramref name="pass"/> unless 42 bytes are there.</summary>
    private static void LoadFrame(EbpfAssembler a, EbpfAssembler.Label pass) =>
        a.Load(Width.Word, Reg.R2, Reg.R6, SkbData)
         .Load(Width.Word, Reg.R3, Reg.R6, SkbDataEnd)
         .Mov(Reg.R4, Reg.R2)
         .Add(Reg.R4, FrameLength)
         .JumpIf(Condition.Greater, Reg.R4, Reg.R3, pass);
}
