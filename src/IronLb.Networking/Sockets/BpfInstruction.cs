using System.Runtime.InteropServices;

namespace IronLb.Networking.Sockets;

/// <summary>struct sock_filter: one classic BPF instruction.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    private const ushort LoadByteAbsolute = 0x30; // BPF_LD | BPF_B | BPF_ABS
    private const ushort LoadWordAbsolute = 0x20; // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpIfEqual = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort ModuloConstant = 0x94;   // BPF_ALU | BPF_MOD | BPF_K
    private const ushort Return = 0x06;           // BPF_RET | BPF_K
    private const ushort ReturnA = 0x16;          // BPF_RET | BPF_A

    /// <summary>SKF_AD_OFF + SKF_AD_CPU: the ancillary load of the CPU running the filter.</summary>
    private const uint AncillaryCpu = 0xFFFFF000 + 36;

    /// <summary>
    /// The fanout program: the index of the lane pinned to the receiving CPU, or for a CPU without a lane
    /// (outside our affinity) some lane by modulo, so no frame is ever lost to a missing lane.
    /// </summary>
    public static BpfInstruction[] FanoutByCpu(ReadOnlySpan<int> laneCpus)
    {
        var program = new BpfInstruction[1 + (2 * laneCpus.Length) + 2];
        program[0] = new(LoadWordAbsolute, 0, 0, AncillaryCpu);
        for (var i = 0; i < laneCpus.Length; i++)
        {
            program[1 + (2 * i)] = new(JumpIfEqual, 0, 1, (uint)laneCpus[i]);
            program[2 + (2 * i)] = new(Return, 0, 0, (uint)i);
        }

        program[^2] = new(ModuloConstant, 0, 0, (uint)laneCpus.Length);
        program[^1] = new(ReturnA, 0, 0, 0);
        return program;
    }

    /// <summary>
    /// Keeps only ICMPv6 neighbour solicitations and advertisements (next header 58 at frame offset 20, type 135
    /// or 136 at 54), so an ETH_P_IPV6 socket does not wake us for every IPv6 packet on a busy node. The
    /// advertisements are never answered; they are kept so that another host claiming one of our addresses is
    /// seen (the conflict check). The parsers re-check everything.
    /// </summary>
    public static BpfInstruction[] NeighborDiscoveryFilter { get; } =
    [
        new(LoadByteAbsolute, 0, 0, 20),
        new(JumpIfEqual, 0, 4, 58),
        new(LoadByteAbsolute, 0, 0, 54),
        new(JumpIfEqual, 1, 0, 135),
        new(JumpIfEqual, 0, 1, 136),
        new(Return, 0, 0, 0x40000),
        new(Return, 0, 0, 0),
    ];
}
