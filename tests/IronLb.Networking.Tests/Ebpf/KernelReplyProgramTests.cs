using System.Net;
using CsCheck;
using IronLb.Networking.Ebpf;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Tests.Packets;
using IronLb.Networking.Tests.Responders;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Tests.Ebpf;

/// <summary>
/// The in-kernel ARP and NDP programs held against the userspace responders, frame by frame: the kernel
/// runs a program on each frame (BPF_PROG_TEST_RUN, nothing reaches a wire) and it must answer exactly
/// what <see cref="ArpResponder"/> or <see cref="NdpResponder"/> answers, with the same bytes, or hand the
/// frame on untouched. The NDP program takes only the usual shape of solicitation; for the rest it must
/// hand on what userspace answers, never answer differently.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class KernelReplyProgramTests
{
    /// <summary>BPF_PROG_TEST_RUN runs a program as if the frame arrived on the loopback interface.</summary>
    private const int Loopback = 1;

    private const string V4 = "192.0.2.100";
    private const string V6 = "2001:db8:2::100";

    [Theory]
    [MemberData(nameof(DropReasonTableTests.ArpRows), MemberType = typeof(DropReasonTableTests))]
    public void Arp_answers_exactly_the_rows_the_userspace_responder_answers(string desc, byte[] frame, string? onlyOn, DropReason expected) =>
        AssertRow(desc, frame, V4, onlyOn, expected, new ArpResponder("eno2", Frames.Node).Process);

    [Theory]
    [MemberData(nameof(DropReasonTableTests.NdpRows), MemberType = typeof(DropReasonTableTests))]
    public void Ndp_answers_the_rows_the_userspace_responder_answers(string desc, byte[] frame, string? onlyOn, DropReason expected) =>
        AssertRow(desc, frame, V6, onlyOn, expected, new NdpResponder("eno2", Frames.Node).Process);

    [Fact]
    public void A_padded_arp_request_gets_the_same_42_byte_reply()
    {
        Requirements.RootAndTools();
        var table = Table(V4, null);
        using var kernel = LoadedPrograms.Create(table);
        var padded = new byte[60];
        Frames.Arp().CopyTo(padded);
        padded[59] = 0x5A; // not a zero, so an echoed pad would show
        var reply = new byte[128];
        Assert.Equal(DropReason.None, new ArpResponder("eno2", Frames.Node).Process(padded, table, reply, out var n, out _));
        var (verdict, output) = Bpf.TestRun(kernel.Program, padded);
        Assert.Equal(TcProgram.VerdictRedirect, verdict);
        Assert.Equal(Convert.ToHexString(reply, 0, n), Convert.ToHexString(output));
    }

    [Fact]
    public void Withdrawn_addresses_and_other_interfaces_are_handed_on()
    {
        Requirements.RootAndTools();
        var both = Table(V4, null).With(IPAddress.Parse(V6), InterfaceSelection.All);
        using var kernel = LoadedPrograms.Create(both);
        Assert.Equal(2, kernel.EntryCount);
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);

        kernel.Sync(AnnounceTable.Empty);
        Assert.Equal(0, kernel.EntryCount);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);

        kernel.Sync(Table(V4, "eno3").With(IPAddress.Parse(V6), InterfaceSelection.Only("eno3")));
        Assert.Equal(0, kernel.EntryCount);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);

        kernel.Sync(both);
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);
        // One reply each before the withdrawal (collected as the entries went) and one each now.
        Assert.Equal(2, kernel.Answered(V4));
        Assert.Equal(2, kernel.Answered(V6));
    }

    [Fact]
    public void Random_arp_frames_get_the_userspace_decision_and_bytes()
    {
        Requirements.RootAndTools();
        var table = Table(V4, null);
        using var kernel = LoadedPrograms.Create(table);
        var responder = new ArpResponder("eno2", Frames.Node);
        Mutations(Frames.Arp()).Sample(frame =>
        {
            var reply = new byte[128];
            var reason = responder.Process(frame, table, reply, out var n, out _);
            if (!TryTestRun(kernel.Program, frame, out var verdict, out var output))
            {
                return true;
            }

            return reason == DropReason.None
                ? verdict == TcProgram.VerdictRedirect && output.AsSpan().SequenceEqual(reply.AsSpan(0, n))
                : verdict == TcProgram.VerdictNext && output.AsSpan().SequenceEqual(frame);
        }, iter: 3000);
    }

    [Fact]
    public void Random_ndp_frames_are_never_answered_differently()
    {
        Requirements.RootAndTools();
        var table = Table(V6, null);
        using var kernel = LoadedPrograms.Create(table);
        var responder = new NdpResponder("eno2", Frames.Node);
        var answeredInKernel = 0;

        // Half the mutants get their checksum fixed, so most get past it and into the later decisions.
        var frames = Gen.Select(Mutations(Frames.Ns()), Gen.Bool, (f, fix) => fix && f.Length == NeighborAdvertisement.FrameLength && f[18] == 0 && f[19] == 32 ? Frames.FixChecksum(f) : f);
        frames.Sample(frame =>
        {
            var reply = new byte[128];
            var reason = responder.Process(frame, table, reply, out var n, out _);
            if (!TryTestRun(kernel.Program, frame, out var verdict, out var output))
            {
                return true;
            }

            if (verdict == TcProgram.VerdictRedirect)
            {
                answeredInKernel++;
                return reason == DropReason.None && output.AsSpan().SequenceEqual(reply.AsSpan(0, n));
            }

            return verdict == TcProgram.VerdictNext && output.AsSpan().SequenceEqual(frame);
        }, iter: 3000);
        Assert.True(answeredInKernel > 100, $"only {answeredInKernel} of 3000 random solicitations were answered in the kernel: the sample says little");
    }

    /// <summary>The userspace responders' decision, as <see cref="ArpResponder.Process"/> and <see cref="NdpResponder.Process"/> make it.</summary>
    private delegate DropReason Decide(ReadOnlySpan<byte> frame, AnnounceTable table, Span<byte> reply, out int replyLength, out AnnounceEntry? entry);

    /// <summary>
    /// One drop-reason row: the userspace responder reaches the row's reason, and the kernel makes the same
    /// decision: answered with the same bytes, or handed on untouched.
    /// </summary>
    private static void AssertRow(string desc, byte[] frame, string address, string? onlyOn, DropReason expected, Decide userspace)
    {
        Requirements.RootAndTools();
        var table = Table(address, onlyOn);
        using var kernel = LoadedPrograms.Create(table);
        var reply = new byte[128];
        var reason = userspace(frame, table, reply, out var n, out _);
        Assert.Equal(expected, reason);
        if (!TryTestRun(kernel.Program, frame, out var verdict, out var output))
        {
            return;
        }

        if (reason == DropReason.None)
        {
            Assert.True(verdict == TcProgram.VerdictRedirect, $"{desc}: the kernel did not answer (verdict {verdict})");
            Assert.Equal(Convert.ToHexString(reply, 0, n), Convert.ToHexString(output));
            Assert.Equal(1, kernel.Answered(address));
        }
        else
        {
            Assert.True(verdict == TcProgram.VerdictNext, $"{desc}: the kernel answered (verdict {verdict})");
            Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(output));
            Assert.Equal(0, kernel.Answered(address));
        }
    }

    /// <summary>
    /// Runs the program on the frame, or returns false for a frame the test runner refuses: shorter than an
    /// Ethernet header, or than the IP header its ethertype announces. Such frames do reach tc; the programs
    /// bound every access by the frame's end, which the verifier checks.
    /// </summary>
    private static bool TryTestRun(SafeFileHandle program, byte[] frame, out int verdict, out byte[] output)
    {
        var ipHeader = frame.Length >= EthernetHeader.Length ? (frame[12], frame[13]) switch
        {
            (0x08, 0x00) => 20,
            (0x86, 0xDD) => Ipv6Header.Length,
            _ => 0,
        } : 0;
        if (frame.Length < EthernetHeader.Length + ipHeader)
        {
            Assert.Equal(22, Assert.Throws<BpfException>(() => Bpf.TestRun(program, frame)).Errno);
            (verdict, output) = (0, []);
            return false;
        }

        (verdict, output) = Bpf.TestRun(program, frame);
        return true;
    }

    /// <summary>A valid request with up to four bytes changed, sometimes cut or padded, sometimes unicast to us.</summary>
    private static Gen<byte[]> Mutations(byte[] request) => Gen.Select(
        Gen.Int[0, 4].SelectMany(count => Gen.Select(Gen.Int[0, request.Length - 1], Gen.Byte).Array[count]),
        Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[-6, 20])),
        Gen.Bool,
        (edits, resize, unicast) =>
        {
            var f = (byte[])request.Clone();
            if (unicast)
            {
                Frames.Node.Write(f);
            }

            foreach (var (at, value) in edits)
            {
                f[at] = value;
            }

            return resize switch
            {
                < 0 => f[..(f.Length + resize)],
                > 0 => [.. f, .. new byte[resize]],
                _ => f,
            };
        });

    private static AnnounceTable Table(string address, string? onlyOn) =>
        AnnounceTable.Empty.With(IPAddress.Parse(address), onlyOn is null ? InterfaceSelection.All : InterfaceSelection.Only(onlyOn));

    /// <summary>The programs and maps as the announcer keeps them, with one pretend "eno2" on the loopback index.</summary>
    private sealed class LoadedPrograms : IDisposable
    {
        private readonly KernelResponder _responder;
        private readonly Dictionary<string, long> _answered = [];

        private LoadedPrograms(KernelResponder responder) => _responder = responder;

        public SafeFileHandle Program => _responder.Program;

        public int EntryCount => _responder.EntryCount;

        public static LoadedPrograms Create(AnnounceTable table)
        {
            var loaded = new LoadedPrograms(KernelResponder.Open());
            loaded._responder.AddForTestRun(new InterfaceInfo("eno2", Loopback, Frames.Node, InterfaceFlags.Up, 1, false, null));
            loaded._responder.SetDeadline(AnswerDeadline.UnboundedNanoseconds); // answering, as under a live speaker (DeadlineProgramTests covers the rest)
            loaded.Sync(table);
            return loaded;
        }

        public void Sync(AnnounceTable table) => Assert.Empty(_responder.Sync(table, Count));

        public long Answered(string label)
        {
            _responder.Collect(Count);
            return _answered.GetValueOrDefault(label);
        }

        public void Dispose() => _responder.Dispose();

        private void Count(string label, long n) => _answered[label] = _answered.GetValueOrDefault(label) + n;
    }
}
