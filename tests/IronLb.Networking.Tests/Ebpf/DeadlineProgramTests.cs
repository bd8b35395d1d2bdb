using System.Net;
using IronLb.Networking.Ebpf;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Tests.Packets;

namespace IronLb.Networking.Tests.Ebpf;

/// <summary>
/// The reply program's deadline in the kernel (BPF_PROG_TEST_RUN, nothing on a wire): requests for announced
/// addresses are answered only while bpf_ktime_get_ns is not past the deadline in the map, and the deadline
/// <see cref="AnswerDeadline"/> computes is on the clock the kernel reads.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class DeadlineProgramTests : IDisposable
{
    /// <summary>BPF_PROG_TEST_RUN runs a program as if the frame arrived on the loopback interface.</summary>
    private const int Loopback = 1;

    private KernelResponder? _kernel;

    public void Dispose() => _kernel?.Dispose();

    [Fact]
    public void Fresh_maps_answer_nothing_and_past_the_deadline_requests_are_handed_on_and_counted()
    {
        var kernel = Load();

        // A zeroed map is "not answering": a program loaded before its first deadline answers nothing.
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);
        Assert.Equal(2, kernel.Expired);

        kernel.SetDeadline(AnswerDeadline.UnboundedNanoseconds);
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);

        kernel.SetDeadline(AnswerDeadline.RevokedNanoseconds);
        var (verdict, output) = Bpf.TestRun(kernel.Program, Frames.Arp());
        Assert.Equal(TcProgram.VerdictNext, verdict);
        Assert.Equal(Convert.ToHexString(Frames.Arp()), Convert.ToHexString(output)); // handed on untouched
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);
        Assert.Equal(4, kernel.Expired);

        // Only requests the program would have answered count: not one for an address nobody announces.
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Arp(target: "192.0.2.200")).Verdict);
        Assert.Equal(4, kernel.Expired);
    }

    [Fact]
    public void The_deadline_is_on_the_kernels_clock()
    {
        // AnswerDeadline reads Stopwatch (TimeProvider.System); the program reads bpf_ktime_get_ns. If they were
        // different clocks (CLOCK_BOOTTIME after a suspend, a scaled clock), one of these would fail.
        var kernel = Load();
        var deadline = new AnswerDeadline(TimeProvider.System);
        deadline.Bind(kernel.SetDeadline);

        // Not ahead: two seconds from now is still in the future for the kernel.
        deadline.Refresh(TimeSpan.FromSeconds(2));
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);

        // Not behind: once userspace sees the deadline passed, so does the kernel, which reads its clock later.
        deadline.Refresh(TimeSpan.FromMilliseconds(1));
        SpinWait.SpinUntil(() => !deadline.IsOpen);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Arp()).Verdict);
        Assert.Equal(TcProgram.VerdictNext, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);

        deadline.Refresh(TimeSpan.FromSeconds(2));
        Assert.Equal(TcProgram.VerdictRedirect, Bpf.TestRun(kernel.Program, Frames.Ns()).Verdict);
        deadline.Bind(null);
    }

    /// <summary>The programs and maps as the announcer loads them, one pretend "eno2" on the loopback index announcing both families.</summary>
    private KernelResponder Load()
    {
        Requirements.RootAndTools();
        _kernel = KernelResponder.Open();
        _kernel.AddForTestRun(new InterfaceInfo("eno2", Loopback, Frames.Node, InterfaceFlags.Up, 1, false, null));
        var table = AnnounceTable.Empty.With(IPAddress.Parse("192.0.2.100"), InterfaceSelection.All).With(IPAddress.Parse("2001:db8:2::100"), InterfaceSelection.All);
        Assert.Empty(_kernel.Sync(table));
        return _kernel;
    }
}
