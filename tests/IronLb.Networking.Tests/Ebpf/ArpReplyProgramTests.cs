using System.Net;
using CsCheck;
using IronLb.Networking.Ebpf;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Tests.Packets;
using IronLb.Networking.Tests.Responders;
using IronLb.Testing.Network;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Tests.Ebpf;

/// <summary>
/// The in-kernel ARP program held against the userspace responder, frame by frame: the kernel runs the
/// program on each frame (BPF_PROG_TEST_RUN, nothing reaches a wire) and it must answer exactly what
/// <see cref="ArpResponder"/> answers, with the same bytes, and hand everything else on untouched.
/// </summary>
[Trait("Category", "Network")]
public sealed class ArpReplyProgramTests
{
    /// <summary>BPF_PROG_TEST_RUN runs the program as if the frame arrived on the loopback interface.</summary>
    private const int Loopback = 1;

    [Theory]
    [MemberData(nameof(DropReasonTableTests.ArpRows), MemberType = typeof(DropReasonTableTests))]
    public void Answers_exactly_the_rows_the_userspace_responder_answers(string desc, byte[] frame, string? onlyOn, DropReason expected)
    {
        Requirements.RootAndTools();
        var table = AnnounceTable.Empty.With(IPAddress.Parse("192.0.2.100"), onlyOn is null ? InterfaceSelection.All : InterfaceSelection.Only(onlyOn));
        using var kernel = LoadedProgram.Create(table, "eno2");
        var reply = new byte[128];
        var reason = new ArpResponder("eno2", Frames.Node).Process(frame, table, reply, out var n, out _);
        Assert.Equal(expected, reason);
        if (frame.Length < EthernetHeader.Length)
        {
            // The stack never hands tc a frame shorter than its Ethernet header, and the test runner refuses one.
            Assert.Equal(22, Assert.Throws<BpfException>(() => kernel.Run(frame)).Errno);
            return;
        }

        var (verdict, output) = kernel.Run(frame);
        if (reason == DropReason.None)
        {
            Assert.True(verdict == ArpReplyProgram.VerdictRedirect, $"{desc}: the kernel did not answer (verdict {verdict})");
            Assert.Equal(Convert.ToHexString(reply, 0, n), Convert.ToHexString(output));
            Assert.Equal(1, kernel.Answered("192.0.2.100"));
        }
        else
        {
            Assert.True(verdict == ArpReplyProgram.VerdictNext, $"{desc}: the kernel answered (verdict {verdict})");
            Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(output));
            Assert.Equal(0, kernel.Answered("192.0.2.100"));
        }
    }

    [Fact]
    public void A_padded_request_gets_the_same_42_byte_reply()
    {
        Requirements.RootAndTools();
        var table = AnnounceTable.Empty.With(IPAddress.Parse("192.0.2.100"), InterfaceSelection.All);
        using var kernel = LoadedProgram.Create(table, "eno2");
        var padded = new byte[60];
        Frames.Arp().CopyTo(padded);
        padded[59] = 0x5A; // not a zero, so an echoed pad would show
        var (verdict, output) = kernel.Run(padded);
        var reply = new byte[128];
        var n = 0;
        Assert.Equal(DropReason.None, new ArpResponder("eno2", Frames.Node).Process(padded, table, reply, out n, out _));
        Assert.Equal(ArpReplyProgram.VerdictRedirect, verdict);
        Assert.Equal(Convert.ToHexString(reply, 0, n), Convert.ToHexString(output));
    }

    [Fact]
    public void Withdrawn_addresses_and_other_interfaces_are_handed_on()
    {
        Requirements.RootAndTools();
        var table = AnnounceTable.Empty.With(IPAddress.Parse("192.0.2.100"), InterfaceSelection.All);
        using var kernel = LoadedProgram.Create(table, "eno2");
        Assert.Equal(ArpReplyProgram.VerdictRedirect, kernel.Run(Frames.Arp()).Verdict);
        kernel.Sync(AnnounceTable.Empty);
        Assert.Equal(ArpReplyProgram.VerdictNext, kernel.Run(Frames.Arp()).Verdict);
        kernel.Sync(table.With(IPAddress.Parse("192.0.2.100"), InterfaceSelection.Only("eno3")));
        Assert.Equal(ArpReplyProgram.VerdictNext, kernel.Run(Frames.Arp()).Verdict);
        kernel.Sync(table);
        Assert.Equal(ArpReplyProgram.VerdictRedirect, kernel.Run(Frames.Arp()).Verdict);
        Assert.Equal(0, kernel.EntryCountAfter(AnnounceTable.Empty.With(IPAddress.Parse("2001:db8:2::100"), InterfaceSelection.All)));
    }

    [Fact]
    public void Random_frames_get_the_userspace_decision_and_bytes()
    {
        Requirements.RootAndTools();
        var table = AnnounceTable.Empty.With(IPAddress.Parse("192.0.2.100"), InterfaceSelection.All);
        using var kernel = LoadedProgram.Create(table, "eno2");
        var responder = new ArpResponder("eno2", Frames.Node);
        var request = Frames.Arp();

        // Mostly a valid request with a few bytes changed, sometimes cut or padded, so most frames get deep
        // into both decisions instead of failing at the ethertype.
        var frames = Gen.Select(
            Gen.Int[0, 4].SelectMany(count => Gen.Select(Gen.Int[0, request.Length - 1], Gen.Byte).Array[count]),
            Gen.Int[-6, 20],
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
        frames.Sample(frame =>
        {
            var reply = new byte[128];
            var reason = responder.Process(frame, table, reply, out var n, out _);
            var (verdict, output) = kernel.Run(frame);
            return reason == DropReason.None
                ? verdict == ArpReplyProgram.VerdictRedirect && output.AsSpan().SequenceEqual(reply.AsSpan(0, n))
                : verdict == ArpReplyProgram.VerdictNext && output.AsSpan().SequenceEqual(frame);
        }, iter: 3000);
    }

    /// <summary>The program and map as the announcer keeps them, with one pretend interface on the loopback index.</summary>
    private sealed class LoadedProgram : IDisposable
    {
        private readonly KernelArpResponder _responder;
        private readonly SafeFileHandle _program;
        private readonly Dictionary<string, long> _answered = [];

        private LoadedProgram(KernelArpResponder responder, SafeFileHandle program)
        {
            _responder = responder;
            _program = program;
        }

        public static LoadedProgram Create(AnnounceTable table, string interfaceName)
        {
            var responder = KernelArpResponder.Open();
            // Published as if attached to an interface with this name at the loopback's index, without attaching.
            responder.AddForTestRun(new InterfaceInfo(interfaceName, Loopback, Frames.Node, InterfaceFlags.Up, 1, false, null));
            var loaded = new LoadedProgram(responder, responder.Program);
            loaded.Sync(table);
            return loaded;
        }

        public void Sync(AnnounceTable table) => Assert.Empty(_responder.Sync(table, Count));

        public int EntryCountAfter(AnnounceTable table)
        {
            Sync(table);
            return _responder.EntryCount;
        }

        public (int Verdict, byte[] Output) Run(byte[] frame) => Bpf.TestRun(_program, frame);

        public long Answered(string label)
        {
            _responder.Collect(Count);
            return _answered.GetValueOrDefault(label);
        }

        public void Dispose() => _responder.Dispose();

        private void Count(string label, long n) => _answered[label] = _answered.GetValueOrDefault(label) + n;
    }
}
