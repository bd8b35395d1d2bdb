namespace IronLb.Networking.Ebpf;

/// <summary>
/// Writes an eBPF program instruction by instruction, with labels for jumps, so the program reads as an
/// annotated listing and needs no compiler toolchain at build or run time. Only the instructions our
/// programs use are here; the kernel's verifier checks the result when it is loaded.
/// </summary>
internal sealed class EbpfAssembler
{
    private const byte ClassLd = 0x00;
    private const byte ClassLdx = 0x01;
    private const byte ClassSt = 0x02;
    private const byte ClassStx = 0x03;
    private const byte ClassJmp = 0x05;
    private const byte ClassJmp32 = 0x06;
    private const byte ClassAlu64 = 0x07;
    private const byte ModeImm = 0x00;
    private const byte ModeMem = 0x60;
    private const byte ModeAtomic = 0xc0;
    private const byte SourceK = 0x00;
    private const byte SourceX = 0x08;
    private const byte OpAdd = 0x00;
    private const byte OpOr = 0x40;
    private const byte OpAnd = 0x50;
    private const byte OpRsh = 0x70;
    private const byte OpXor = 0xa0;
    private const byte OpMov = 0xb0;
    private const byte OpJa = 0x00;
    private const byte OpCall = 0x80;
    private const byte OpExit = 0x90;
    private const Reg PseudoMapFd = (Reg)1;

    private readonly List<EbpfInstruction> _code = [];
    private readonly List<(int At, Label Target)> _fixups = [];

    /// <summary>A jump target; place it with <see cref="Mark"/>, before or after the jumps to it.</summary>
    public sealed class Label
    {
        internal int Position { get; set; } = -1;
    }

    public static Label NewLabel() => new();

    public EbpfAssembler Mark(Label label)
    {
        if (label.Position >= 0)
        {
            throw new InvalidOperationException("label placed twice");
        }

        label.Position = _code.Count;
        return this;
    }

    /// <summary>dst = src (64 bit).</summary>
    public EbpfAssembler Mov(Reg dst, Reg src) => Emit(new(ClassAlu64 | OpMov | SourceX, dst, src, 0, 0));

    /// <summary>dst = imm, sign-extended to 64 bits.</summary>
    public EbpfAssembler Mov(Reg dst, int imm) => Emit(new(ClassAlu64 | OpMov | SourceK, dst, Reg.R0, 0, imm));

    /// <summary>dst += imm (64 bit).</summary>
    public EbpfAssembler Add(Reg dst, int imm) => Emit(new(ClassAlu64 | OpAdd | SourceK, dst, Reg.R0, 0, imm));

    /// <summary>dst += src (64 bit).</summary>
    public EbpfAssembler Add(Reg dst, Reg src) => Emit(new(ClassAlu64 | OpAdd | SourceX, dst, src, 0, 0));

    /// <summary>dst |= src (64 bit).</summary>
    public EbpfAssembler Or(Reg dst, Reg src) => Emit(new(ClassAlu64 | OpOr | SourceX, dst, src, 0, 0));

    /// <summary>dst &amp;= imm (64 bit, imm sign-extended).</summary>
    public EbpfAssembler And(Reg dst, int imm) => Emit(new(ClassAlu64 | OpAnd | SourceK, dst, Reg.R0, 0, imm));

    /// <summary>dst ^= imm (64 bit, imm sign-extended).</summary>
    public EbpfAssembler Xor(Reg dst, int imm) => Emit(new(ClassAlu64 | OpXor | SourceK, dst, Reg.R0, 0, imm));

    /// <summary>dst &gt;&gt;= imm, logical (64 bit).</summary>
    public EbpfAssembler ShiftRight(Reg dst, int imm) => Emit(new(ClassAlu64 | OpRsh | SourceK, dst, Reg.R0, 0, imm));

    /// <summary>dst = *(width *)(src + offset), zero-extended.</summary>
    public EbpfAssembler Load(Width width, Reg dst, Reg src, short offset) => Emit(new((byte)(ClassLdx | ModeMem | (byte)width), dst, src, offset, 0));

    /// <summary>*(width *)(dst + offset) = src.</summary>
    public EbpfAssembler Store(Width width, Reg dst, short offset, Reg src) => Emit(new((byte)(ClassStx | ModeMem | (byte)width), dst, src, offset, 0));

    /// <summary>*(width *)(dst + offset) = imm.</summary>
    public EbpfAssembler Store(Width width, Reg dst, short offset, int imm) => Emit(new((byte)(ClassSt | ModeMem | (byte)width), dst, Reg.R0, offset, imm));

    /// <summary>Atomically *(u64 *)(dst + offset) += src.</summary>
    public EbpfAssembler AtomicAdd(Reg dst, short offset, Reg src) => Emit(new((byte)(ClassStx | ModeAtomic | (byte)Width.Double), dst, src, offset, OpAdd));

    /// <summary>dst = the map with this file descriptor (a two-slot instruction the loader resolves).</summary>
    public EbpfAssembler LoadMap(Reg dst, int mapFd)
    {
        Emit(new((byte)(ClassLd | ModeImm | (byte)Width.Double), dst, PseudoMapFd, 0, mapFd));
        return Emit(new(0, 0, 0, 0));
    }

    /// <summary>Jumps if the 64-bit register compares to imm (sign-extended).</summary>
    public EbpfAssembler JumpIf(Condition condition, Reg dst, int imm, Label target) =>
        Jump(new((byte)(ClassJmp | (byte)condition | SourceK), dst, Reg.R0, 0, imm), target);

    /// <summary>Jumps if the two 64-bit registers compare.</summary>
    public EbpfAssembler JumpIf(Condition condition, Reg dst, Reg src, Label target) =>
        Jump(new((byte)(ClassJmp | (byte)condition | SourceX), dst, src, 0, 0), target);

    /// <summary>Jumps if the low 32 bits of the register compare to imm (no sign extension to worry about).</summary>
    public EbpfAssembler JumpIf32(Condition condition, Reg dst, uint imm, Label target) =>
        Jump(new((byte)(ClassJmp32 | (byte)condition | SourceK), dst, Reg.R0, 0, unchecked((int)imm)), target);

    public EbpfAssembler Goto(Label target) => Jump(new(ClassJmp | OpJa, Reg.R0, Reg.R0, 0, 0), target);

    /// <summary>Calls a kernel helper by number; arguments in R1–R5, result in R0, R1–R5 clobbered.</summary>
    public EbpfAssembler Call(int helper) => Emit(new(ClassJmp | OpCall, Reg.R0, Reg.R0, 0, helper));

    public EbpfAssembler Exit() => Emit(new(ClassJmp | OpExit, Reg.R0, Reg.R0, 0, 0));

    /// <summary>The program with every jump resolved.</summary>
    public EbpfInstruction[] Build()
    {
        var program = _code.ToArray();
        foreach (var (at, target) in _fixups)
        {
            if (target.Position < 0)
            {
                throw new InvalidOperationException("jump to a label that was never placed");
            }

            program[at] = program[at] with { Offset = checked((short)(target.Position - at - 1)) };
        }

        return program;
    }

    private EbpfAssembler Jump(EbpfInstruction instruction, Label target)
    {
        _fixups.Add((_code.Count, target));
        return Emit(instruction);
    }

    private EbpfAssembler Emit(EbpfInstruction instruction)
    {
        _code.Add(instruction);
        return this;
    }
}
