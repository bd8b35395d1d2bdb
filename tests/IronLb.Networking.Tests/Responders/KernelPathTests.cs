using System.Net;
using IronLb.Networking.Ebpf;
using IronLb.Networking.Interop;
using IronLb.Networking.Packets;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Networking.Tests.Responders;

/// <summary>
/// How the announcer drives the in-kernel responders, with a fake in their place: what it attaches, when it
/// syncs, how it counts the kernel's replies, and how it falls back when the kernel refuses. The programs
/// themselves are tested against the kernel in Ebpf/ and Network/.
/// </summary>
public sealed class KernelPathTests : IAsyncDisposable
{
    private static readonly IPAddress V4 = IPAddress.Parse("192.0.2.100");

    private readonly FakePlatform _platform = new();
    private readonly FakeKernelResponder _kernel;
    private Layer2Announcer _announcer;

    public KernelPathTests()
    {
        _platform.Interfaces.Add(FakePlatform.Eth("eno2", 2));
        _platform.Interfaces.Add(FakePlatform.Eth("eno3", 3));
        // The transports of the interfaces still there: those of a removed one closed with it.
        _kernel = new FakeKernelResponder(() => [.. _platform.Transports.Where(t => _platform.Interfaces.Any(i => i.Index == t.Key.Index)).Select(t => t.Value)]);
        _platform.Kernel = _kernel;
        _announcer = Create(new Layer2Options());
    }

    public ValueTask DisposeAsync() => _announcer.DisposeAsync();

    [Fact]
    public async Task Every_running_responder_gets_its_program_and_every_table_reaches_the_maps()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp"], _announcer.KernelResponders);

        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")));
        Assert.Equal([V4], _kernel.Synced!.Addresses);
        _announcer.SetTable(AnnounceTable.Empty);
        Assert.Empty(_kernel.Synced!.Addresses); // a withdrawal is in the maps when SetTable returns
    }

    [Fact]
    public async Task Replies_the_kernel_sent_count_as_answers_once()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _kernel.Answer("192.0.2.100", 3);
        Assert.Equal(3, _announcer.DropCounts()[DropReason.None]);
        Assert.Equal(3, _announcer.DropCounts()[DropReason.None]);
        _kernel.Answer("192.0.2.100", 2);
        _announcer.FlushKernelCounts();
        Assert.Equal(5, _announcer.DropCounts()[DropReason.None]);
    }

    public static TheoryData<string, int, string[]> AttachRefusals() => new()
    {
        // A kernel without TCX refuses every interface alike: the whole kernel path goes.
        { "EINVAL on eno3", Libc.Einval, [] },
        { "EPERM on eno3", Libc.Eperm, [] },
        // An interface that vanished between the scan and the attach: only that one is left to userspace.
        { "ENODEV on eno3", Libc.Enodev, ["eno2/arp", "eno2/ndp"] },
    };

    [Theory]
    [MemberData(nameof(AttachRefusals))]
    public async Task A_refused_attach(string row, int errno, string[] kernelAfter)
    {
        _kernel.AttachRefusal = (info, _) => info.Name == "eno3" ? new BpfException("attach to tcx ingress", errno) : null;
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(kernelAfter.SequenceEqual(_announcer.KernelResponders), $"{row}: {string.Join(',', _announcer.KernelResponders)}");
        Assert.Equal(kernelAfter.Length == 0, _kernel.Disposed);
        Assert.Equal(["eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp"], _announcer.Responders); // userspace answers everywhere regardless
    }

    [Fact]
    public async Task A_kernel_that_refuses_the_programs_leaves_userspace_answering()
    {
        _platform.KernelRefusal = new BpfException("load program", Libc.Eperm);
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        Assert.Empty(_announcer.KernelResponders);
        Assert.Equal(["eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp"], _announcer.Responders);
        Assert.Equal(1, _platform.KernelOpens); // tried once, not at every scan
        _announcer.Rescan();
        Assert.Equal(1, _platform.KernelOpens);
    }

    [Fact]
    public async Task Switched_off_it_is_never_opened()
    {
        await _announcer.DisposeAsync();
        _announcer = Create(new Layer2Options { KernelReplies = false });
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, _platform.KernelOpens);
        Assert.Empty(_announcer.KernelResponders);
    }

    [Fact]
    public async Task A_vanished_interface_is_detached_and_stop_removes_the_programs_before_the_loops()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _platform.Interfaces.RemoveAll(i => i.Name == "eno3");
        _announcer.Rescan();
        Assert.Contains("detach 3", _kernel.Calls);
        Assert.Equal(["eno2/arp", "eno2/ndp"], _announcer.KernelResponders);

        await _announcer.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(_kernel.Disposed);
        Assert.True(_kernel.TransportsOpenAtDispose, "the userspace loops stopped before the kernel programs were removed");
    }

    private Layer2Announcer Create(Layer2Options options) => new(options, _platform, _platform, new FakeTimeProvider(), null, null);
}
