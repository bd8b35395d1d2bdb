using System.Buffers.Binary;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The freshness check of <see cref="ReplyProgram"/> (<see cref="AnswerDeadline"/> in the kernel): a request
/// that would be answered is handed on instead once bpf_ktime_get_ns is past the deadline in a one-entry array
/// map, which the speaker's live loop keeps moving forward. Handed on, not dropped: the stack and the userspace
/// responder see it as if no program were attached, and the userspace responder obeys the same deadline.
/// </summary>
/// <param name="DeadlineMapFd">The array map holding the deadline (u64 CLOCK_MONOTONIC ns; 0 = not answering).</param>
/// <param name="ExpiredMapFd">The array map counting requests handed on because the deadline had passed (u64).</param>
internal sealed record DeadlineGate(int DeadlineMapFd, int ExpiredMapFd)
{
    public const string DeadlineMapName = "ironlb_deadline";
    public const string ExpiredMapName = "ironlb_expired";
    public const int ValueSize = sizeof(ulong);

    /// <summary>Both maps have one entry, at index 0.</summary>
    public static ReadOnlySpan<byte> Key => [0, 0, 0, 0];

    // The key lives in the stack slot the address lookup used for its key, which is done with by now.
    private const short KeySlot = -4;

    public static void WriteValue(Span<byte> value, ulong nanoseconds) => BinaryPrimitives.WriteUInt64LittleEndian(value, nanoseconds);

    public static ulong ReadValue(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt64LittleEndian(value);

    /// <summary>
    /// Emits: on to <paramref name="pass"/>, counted, unless now ≤ deadline. Keeps R6 and R7 (the skb and the
    /// address's map value); clobbers R0–R5 and R8, and with them the frame pointers: load the frame again.
    /// </summary>
    public void Emit(EbpfAssembler a, EbpfAssembler.Label pass)
    {
        var open = EbpfAssembler.NewLabel();
        a.Call(TcProgram.HelperKtimeGetNs)
         .Mov(Reg.R8, Reg.R0)
         .Store(Width.Word, Reg.R10, KeySlot, 0)
         .LoadMap(Reg.R1, DeadlineMapFd)
         .Mov(Reg.R2, Reg.R10)
         .Add(Reg.R2, KeySlot)
         .Call(TcProgram.HelperMapLookup)
         .JumpIf(Condition.Equal, Reg.R0, 0, pass) // index 0 of an array always exists; the verifier wants the check
         .Load(Width.Double, Reg.R4, Reg.R0, 0)
         .JumpIf(Condition.LessOrEqual, Reg.R8, Reg.R4, open); // unsigned: a deadline of 0 is always passed

        // Past the deadline. One shared counter, added to atomically: only a node that has stopped answering
        // pays for it, so a per-CPU map (and knowing the possible CPUs to read it) would buy nothing.
        a.LoadMap(Reg.R1, ExpiredMapFd)
         .Mov(Reg.R2, Reg.R10)
         .Add(Reg.R2, KeySlot)
         .Call(TcProgram.HelperMapLookup)
         .JumpIf(Condition.Equal, Reg.R0, 0, pass)
         .Mov(Reg.R4, 1)
         .AtomicAdd(Reg.R0, 0, Reg.R4)
         .Goto(pass)
         .Mark(open);
    }
}
