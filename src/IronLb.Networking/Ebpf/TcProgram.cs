using System.Buffers.Binary;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// What the ARP and NDP parts of <see cref="ReplyProgram"/> share: the tc context they read, the helpers
/// they call, their map value ({ interface MAC, 2 bytes padding, u64 replies sent }) and common snippets.
/// Register use by convention: R6 the skb, R7 the map value once found, R2/R3 the frame and its end.
/// </summary>
internal static class TcProgram
{
    /// <summary>TCX_NEXT (also TC_ACT_UNSPEC): hand the frame on, to the next program or the stack.</summary>
    public const int VerdictNext = -1;

    /// <summary>TC_ACT_REDIRECT: what bpf_redirect returns.</summary>
    public const int VerdictRedirect = 7;

    public const int ValueSize = 16;

    public const short AnsweredOffset = 8;

    public const string License = "Apache-2.0";

    // Ethernet header offsets, the same in both protocols' frames.
    public const short EthDst = 0;
    public const short EthSrc = 6;
    public const short EthType = 12;

    // struct __sk_buff fields.
    public const short SkbLen = 0;
    public const short SkbVlanPresent = 20;
    public const short SkbIfIndex = 40;
    public const short SkbData = 76;
    public const short SkbDataEnd = 80;

    // Helper numbers (enum bpf_func_id); none of them is GPL-only.
    public const int HelperMapLookup = 1;
    public const int HelperKtimeGetNs = 5;
    public const int HelperRedirect = 23;
    public const int HelperCsumDiff = 28;
    public const int HelperChangeTail = 38;
    public const int HelperCsumLevel = 135;

    /// <summary>BPF_CSUM_LEVEL_RESET: the skb's checksum state becomes CHECKSUM_NONE.</summary>
    public const int CsumLevelReset = 3;

    public static void WriteValue(Span<byte> value, MacAddress mac)
    {
        value[..ValueSize].Clear();
        mac.Write(value);
    }

    public static long ReadAnswered(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value[AnsweredOffset..]);

    /// <summary>R2 = skb data, R3 = data_end, and on to <paramref name="pass"/> unless <paramref name="length"/> bytes are there.</summary>
    public static void LoadFrame(EbpfAssembler a, int length, EbpfAssembler.Label pass) =>
        a.Load(Width.Word, Reg.R2, Reg.R6, SkbData)
         .Load(Width.Word, Reg.R3, Reg.R6, SkbDataEnd)
         .Mov(Reg.R4, Reg.R2)
         .Add(Reg.R4, length)
         .JumpIf(Condition.Greater, Reg.R4, Reg.R3, pass);

    /// <summary>A frame that arrived with a VLAN tag belongs to the VLAN's interface: not ours to answer here.</summary>
    public static void PassIfVlanTagged(EbpfAssembler a, EbpfAssembler.Label pass) =>
        a.Load(Width.Word, Reg.R4, Reg.R6, SkbVlanPresent)
         .JumpIf(Condition.NotEqual, Reg.R4, 0, pass);

    /// <summary>
    /// Looks up the key { ingress interface index, the <paramref name="addressBytes"/> at frame offset
    /// <paramref name="address"/> } (the maps' key, see the programs' WriteKey), built on the stack;
    /// R7 = the value, or on to <paramref name="pass"/>. The call invalidates R2/R3: load the frame again.
    /// </summary>
    public static void LookupByInterfaceAnd(EbpfAssembler a, int mapFd, short address, int addressBytes, EbpfAssembler.Label pass)
    {
        var key = (short)-(4 + addressBytes);
        a.Load(Width.Word, Reg.R4, Reg.R6, SkbIfIndex)
         .Store(Width.Word, Reg.R10, key, Reg.R4);
        for (short i = 0; i < addressBytes; i += 4)
        {
            a.Load(Width.Word, Reg.R4, Reg.R2, (short)(address + i))
             .Store(Width.Word, Reg.R10, (short)(key + 4 + i), Reg.R4);
        }

        a.LoadMap(Reg.R1, mapFd)
         .Mov(Reg.R2, Reg.R10)
         .Add(Reg.R2, key)
         .Call(HelperMapLookup)
         .JumpIf(Condition.Equal, Reg.R0, 0, pass)
         .Mov(Reg.R7, Reg.R0);
    }

    /// <summary>Our own frame (Ethernet source = the interface's MAC) is never answered.</summary>
    public static void PassIfOwnFrame(EbpfAssembler a, EbpfAssembler.Label pass)
    {
        var notOwn = EbpfAssembler.NewLabel();
        a.Load(Width.Word, Reg.R4, Reg.R2, EthSrc)
         .Load(Width.Word, Reg.R5, Reg.R7, 0)
         .JumpIf(Condition.NotEqual, Reg.R4, Reg.R5, notOwn)
         .Load(Width.Half, Reg.R4, Reg.R2, EthSrc + 4)
         .Load(Width.Half, Reg.R5, Reg.R7, 4)
         .JumpIf(Condition.Equal, Reg.R4, Reg.R5, pass)
         .Mark(notOwn);
    }

    /// <summary>On to <paramref name="pass"/> unless the Ethernet destination is the interface's MAC.</summary>
    public static void PassUnlessToInterfaceMac(EbpfAssembler a, EbpfAssembler.Label pass) =>
        a.Load(Width.Word, Reg.R4, Reg.R2, EthDst)
         .Load(Width.Word, Reg.R5, Reg.R7, 0)
         .JumpIf(Condition.NotEqual, Reg.R4, Reg.R5, pass)
         .Load(Width.Half, Reg.R4, Reg.R2, EthDst + 4)
         .Load(Width.Half, Reg.R5, Reg.R7, 4)
         .JumpIf(Condition.NotEqual, Reg.R4, Reg.R5, pass);

    /// <summary>Writes the interface's MAC (from the map value) at a frame offset.</summary>
    public static void StoreInterfaceMac(EbpfAssembler a, short offset) =>
        a.Load(Width.Word, Reg.R4, Reg.R7, 0)
         .Load(Width.Half, Reg.R5, Reg.R7, 4)
         .Store(Width.Word, Reg.R2, offset, Reg.R4)
         .Store(Width.Half, Reg.R2, (short)(offset + 4), Reg.R5);

    /// <summary>Copies <paramref name="bytes"/> (a multiple of 4) within the frame, a word at a time.</summary>
    public static void CopyWords(EbpfAssembler a, short from, short to, int bytes)
    {
        for (var i = 0; i < bytes; i += 4)
        {
            a.Load(Width.Word, Reg.R4, Reg.R2, (short)(from + i))
             .Store(Width.Word, Reg.R2, (short)(to + i), Reg.R4);
        }
    }

    /// <summary>Counts the reply in the map value and sends the frame back out of the interface it came in on.</summary>
    public static void CountAndSendBack(EbpfAssembler a) =>
        a.Mov(Reg.R4, 1)
         .AtomicAdd(Reg.R7, AnsweredOffset, Reg.R4)
         .Load(Width.Word, Reg.R1, Reg.R6, SkbIfIndex)
         .Mov(Reg.R2, 0)
         .Call(HelperRedirect)
         .Exit();

    /// <summary>The shared exit for everything not answered.</summary>
    public static void Pass(EbpfAssembler a, EbpfAssembler.Label pass) =>
        a.Mark(pass)
         .Mov(Reg.R0, VerdictNext)
         .Exit();
}
