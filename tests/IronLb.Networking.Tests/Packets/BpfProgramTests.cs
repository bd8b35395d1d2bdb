using IronLb.Networking.Sockets;

namespace IronLb.Networking.Tests.Packets;

/// <summary>
/// The classic BPF programs we hand the kernel, run here by a small interpreter of the instructions they
/// use, so every frame that must pass or be dropped, and every CPU-to-lane choice, is a table row. The
/// kernel side (that it accepts and applies them) is covered by the network tests.
/// </summary>
public sealed class BpfProgramTests
{
    public static TheoryData<string, byte[], bool> NeighborDiscoveryRows() => new()
    {
        { "neighbour solicitation", Frames.Ns(), true },
        { "solicitation with a bad checksum (the parser's business)", Corrupt(Frames.Ns(), 56), true },
        { "neighbour advertisement (another host's claim, for the conflict check)", Frames.Na(), true },
        { "redirect", With(Frames.Ns(), 54, 137), false },
        { "router solicitation", With(Frames.Ns(), 54, 133), false },
        { "echo request", With(Frames.Ns(), 54, 128), false },
        { "UDP over IPv6", With(Frames.Ns(), 20, 17), false },
        { "frame cut before the ICMPv6 type", Frames.Ns()[..54], false },
        { "frame cut before the next header", Frames.Ns()[..20], false },
    };

    /// <summary>Lane CPUs, the CPU a frame arrived on, the lane that must get it.</summary>
    public static TheoryData<int[], uint, uint> FanoutRows() => new()
    {
        { [0, 1], 0, 0 },
        { [0, 1], 1, 1 },
        { [0, 1, 2, 3], 3, 3 },
        { [2, 3], 2, 0 },                   // a cpuset that does not start at 0
        { [2, 3], 3, 1 },
        { [2, 3], 5, 1 },                   // a CPU outside our set still reaches a lane (5 mod 2)
        { [0, 2, 4, 6], 4, 2 },             // a sparse set: the lane pinned to CPU 4
        { [0, 2, 4, 6], 7, 3 },             // 7 mod 4
        { [.. Enumerable.Range(0, 64)], 63, 63 },
    };

    [Theory]
    [MemberData(nameof(NeighborDiscoveryRows))]
    public void Neighbour_discovery_filter_keeps_only_solicitations_and_advertisements(string desc, byte[] frame, bool kept)
    {
        var result = Run(BpfInstruction.NeighborDiscoveryFilter, frame, cpu: 0);
        Assert.True(kept == (result != 0), $"{desc}: filter returned {result}");
    }

    [Theory]
    [MemberData(nameof(FanoutRows))]
    public void Fanout_program_picks_the_lane_pinned_to_the_receiving_cpu(int[] laneCpus, uint cpu, uint lane)
    {
        var program = BpfInstruction.FanoutByCpu(laneCpus);
        Assert.Equal(lane, Run(program, Frames.Arp(), cpu));
        Assert.True(program.Length <= 4096, "the kernel accepts at most BPF_MAXINSNS instructions");
    }

    private static byte[] With(byte[] frame, int offset, byte value)
    {
        frame[offset] = value;
        return frame;
    }

    private static byte[] Corrupt(byte[] frame, int offset) => With(frame, offset, (byte)(frame[offset] ^ 0xFF));

    /// <summary>
    /// Classic BPF as the kernel runs it, for the instructions our programs use: absolute byte and word
    /// loads (an out-of-range load ends the program with 0, i.e. drop), the CPU ancillary load, JEQ with a
    /// constant, MOD with a constant, and RET of a constant or of A.
    /// </summary>
    private static uint Run(BpfInstruction[] program, byte[] frame, uint cpu)
    {
        uint a = 0;
        for (var pc = 0; pc < program.Length; pc++)
        {
            var ins = program[pc];
            switch (ins.Code)
            {
                case 0x30: // ld b [k]
                    if (ins.K >= frame.Length)
                    {
                        return 0;
                    }

                    a = frame[ins.K];
                    break;
                case 0x20 when ins.K == 0xFFFFF000 + 36: // ld #cpu
                    a = cpu;
                    break;
                case 0x20: // ld w [k]
                    if (ins.K + 4 > frame.Length)
                    {
                        return 0;
                    }

                    a = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan((int)ins.K));
                    break;
                case 0x15: // jeq #k
                    pc += a == ins.K ? ins.JumpTrue : ins.JumpFalse;
                    break;
                case 0x94: // mod #k
                    a %= ins.K;
                    break;
                case 0x06: // ret #k
                    return ins.K;
                case 0x16: // ret a
                    return a;
                default:
                    throw new InvalidOperationException($"instruction {ins.Code:x2} at {pc} is not interpreted here");
            }
        }

        throw new InvalidOperationException("program fell off its end; the kernel rejects such programs");
    }
}
