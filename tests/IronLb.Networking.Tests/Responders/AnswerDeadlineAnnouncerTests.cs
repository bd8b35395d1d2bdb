using System.Diagnostics.Metrics;
using System.Net;
using IronLb.Networking.Packets;
using IronLb.Networking.Tests.Packets;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Networking.Tests.Responders;

/// <summary>
/// The announcer's <see cref="Layer2Announcer.Deadline"/> with fakes in place of the kernel and the sockets:
/// the kernel's map follows it, and the userspace responders and gratuitous rounds obey it.
/// </summary>
public sealed class AnswerDeadlineAnnouncerTests : IAsyncDisposable
{
    private static readonly IPAddress V4 = IPAddress.Parse("192.0.2.100");

    private readonly FakePlatform _platform = new();
    private readonly FakeKernelResponder _kernel = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(1, 1, 2, 0, 0, 0, TimeSpan.Zero));
    private readonly ScopedMeters _meters = new();
    private readonly Layer2Announcer _announcer;
    private MeterListener? _listener;

    public AnswerDeadlineAnnouncerTests()
    {
        _platform.Interfaces.Add(FakePlatform.Eth("eno2", 2));
        _platform.Kernel = _kernel;
        _announcer = new Layer2Announcer(new Layer2Options(), _platform, _platform, _time, null, _meters);
    }

    public async ValueTask DisposeAsync()
    {
        await _announcer.DisposeAsync();
        _listener?.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task The_kernel_map_gets_the_deadline_when_loaded_and_on_every_change_and_nothing_once_unloaded()
    {
        _announcer.Deadline.Revoke(); // as the speaker does before it starts: nothing answered before the first tick
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal([0UL], _kernel.Deadlines);

        _announcer.Deadline.Refresh(TimeSpan.FromMilliseconds(300));
        Assert.Equal([0UL, _announcer.Deadline.KernelValue], _kernel.Deadlines);
        Assert.NotEqual(0UL, _announcer.Deadline.KernelValue);

        await _announcer.StopAsync(TestContext.Current.CancellationToken);
        _announcer.Deadline.Refresh(TimeSpan.FromMilliseconds(300));
        Assert.Equal(2, _kernel.Deadlines.Count);
    }

    [Fact]
    public async Task Past_the_deadline_the_userspace_responder_answers_nothing_and_counts_why()
    {
        var passed = ListenTo("ironlb_layer2_deadline_passed");
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.All));
        var eno2 = _platform.Arp(2);
        _announcer.Deadline.Refresh(TimeSpan.FromMilliseconds(300));
        eno2.Inject(Frames.Arp());
        await Eventually.WaitForAsync(() => _announcer.DropCounts().GetValueOrDefault(DropReason.None) == 1, "the request answered while refreshed");
        var sent = eno2.Sent.Count;

        _time.Advance(TimeSpan.FromMilliseconds(301));
        _kernel.Expired = 4;
        eno2.Inject(Frames.Arp());
        await Eventually.WaitForAsync(() => _announcer.DropCounts().GetValueOrDefault(DropReason.NotAnswering) == 1, "the request past the deadline counted");
        Assert.Equal(sent, eno2.Sent.Count);
        Assert.Equal(1, _announcer.DropCounts()[DropReason.None]);
        Assert.Equal(new Dictionary<string, long> { ["kernel"] = 4, ["userspace"] = 1 }, passed());

        // Refreshed again (SIGCONT): answered again.
        _announcer.Deadline.Refresh(TimeSpan.FromMilliseconds(300));
        eno2.Inject(Frames.Arp());
        await Eventually.WaitForAsync(() => _announcer.DropCounts().GetValueOrDefault(DropReason.None) == 2, "the request answered after the refresh");
        Assert.Equal(sent + 1, eno2.Sent.Count);
    }

    [Fact]
    public async Task Gratuitous_rounds_are_answers_too_and_stop_past_the_deadline()
    {
        _announcer.Deadline.Revoke();
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.All));
        Assert.Empty(_platform.Arp(2).Sent);

        _announcer.Deadline.Refresh(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromMilliseconds(1100)); // the burst's next round
        Assert.Equal(2, _platform.Arp(2).Sent.Count); // request + reply
    }

    /// <summary>The observable counter's latest values by path, from this announcer's meter only.</summary>
    private Func<Dictionary<string, long>> ListenTo(string instrument)
    {
        var values = new Dictionary<string, long>();
        var listener = _listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Name == instrument && ReferenceEquals(i.Meter.Scope, _meters))
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                values[(string)tag.Value!] = value;
            }
        });
        listener.Start();
        return () =>
        {
            listener.RecordObservableInstruments();
            return values;
        };
    }

}
