using System.Runtime.InteropServices;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// struct bpf_insn: one eBPF instruction (8 bytes). The register byte holds the destination in its low
/// nibble and the source in its high nibble, as the kernel's bitfields lay them out on little-endian hosts.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct EbpfInstruction(byte Code, byte Registers, short Offset, int Immediate)
{
    public EbpfInstruction(byte code, Reg dst, Reg src, short offset, int immediate)
        : this(code, (byte)((int)dst | ((int)src << 4)), offset, immediate)
    {
    }
}

/// <summary>The eleven eBPF registers: R0 return value, R1–R5 arguments (clobbered by calls), R6–R9 kept across calls, R10 frame pointer.</summary>
internal enum Reg : byte
{
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10,
}

/// <summary>Access widths of loads and stores (BPF_SIZE).</summary>
internal enum Width : byte
{
    Word = 0x00,
    Half = 0x08,
    Byte = 0x10,
    Double = 0x18,
}

/// <summary>Conditional jumps (BPF_OP of the JMP classes).</summary>
internal enum Condition : byte
{
    Equal = 0x10,
    Greater = 0x20,
    NotEqual = 0x50,
    LessOrEqual = 0xb0,
}
