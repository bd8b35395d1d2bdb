using System.Net;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Tests.Packets;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Networking.Tests.Responders;

public sealed class Layer2AnnouncerTests : IAsyncDisposable
{
    private static readonly IPAddress V4 = IPAddress.Parse("192.0.2.100");
    private static readonly IPAddress V6 = IPAddress.Parse("2001:db8:2::100");
    private static readonly UInt128 V6Group = Ipv6Header.SolicitedNode(Frames.V6("2001:db8:2::100"));

    private readonly FakePlatform _platform = new();
    private readonly FakeTimeProvider _time = new();

    // Every test's announcer has meters of its own: other announcers in this process (other classes, in
    // parallel) count the same addresses under the same meter name, and a listener must tell them apart.
    private readonly ScopedMeters _meters = new();
    private readonly Layer2Announcer _announcer;

    public Layer2AnnouncerTests()
    {
        _platform.Interfaces.Add(FakePlatform.Eth("eno2", 2));
        _platform.Interfaces.Add(FakePlatform.Eth("eno3", 3));
        _announcer = new Layer2Announcer(new Layer2Options(), _platform, _platform, _time, null, _meters);
    }

    public async ValueTask DisposeAsync()
    {
        await _announcer.DisposeAsync();
        _meters.Dispose();
    }

    [Fact]
    public async Task Constructor_does_no_io_and_start_opens_responders()
    {
        Assert.Empty(_platform.Transports);
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp"], _announcer.Responders);
    }

    [Fact]
    public async Task New_addresses_get_a_burst_and_groups_only_where_announced()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")).With(V6, InterfaceSelection.All));

        Assert.Equal(2, _platform.Arp(2).Sent.Count);       // request + reply
        Assert.Empty(_platform.Arp(3).Sent);                // not announced on eno3
        Assert.Single(_platform.Ndp(2).Sent);               // one unsolicited NA per interface
        Assert.Single(_platform.Ndp(3).Sent);
        Assert.Equal([V6Group], _platform.Groups[2].Joined);
        Assert.Equal([V6Group], _platform.Groups[3].Joined);

        _time.Advance(TimeSpan.FromMilliseconds(1100));
        Assert.Equal(4, _platform.Arp(2).Sent.Count);
        Assert.Equal(2, _platform.Ndp(2).Sent.Count);

        // The same table again is not a takeover: no new burst beyond the running one.
        _announcer.SetTable(_announcer.Table);
        Assert.Equal(4, _platform.Arp(2).Sent.Count);
    }

    [Fact]
    public async Task Withdrawal_sends_nothing_and_leaves_groups()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.All).With(V6, InterfaceSelection.Only("eno2")));
        var before = _platform.Transports.Values.Sum(t => t.Sent.Count);
        _announcer.SetTable(AnnounceTable.Empty);
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(before, _platform.Transports.Values.Sum(t => t.Sent.Count));
        Assert.Empty(_platform.Groups[2].Joined);
    }

    [Fact]
    public async Task Shared_group_is_left_only_when_its_last_address_goes()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        var other = IPAddress.Parse("2001:db8:9::100"); // same low 24 bits, same solicited-node group
        _announcer.SetTable(AnnounceTable.Empty.With(V6, InterfaceSelection.All).With(other, InterfaceSelection.All));
        _announcer.SetTable(AnnounceTable.Empty.With(other, InterfaceSelection.All));
        Assert.Equal([V6Group], _platform.Groups[2].Joined);
        _announcer.SetTable(AnnounceTable.Empty);
        Assert.Empty(_platform.Groups[2].Joined);
    }

    [Fact]
    public async Task Late_interface_joins_existing_groups_and_announces()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.All).With(V6, InterfaceSelection.All));
        _platform.Interfaces.Add(FakePlatform.Eth("eno4", 4));
        _announcer.Rescan();
        Assert.Contains("eno4/ndp", _announcer.Responders);
        Assert.Equal([V6Group], _platform.Groups[4].Joined);
        Assert.Equal(2, _platform.Arp(4).Sent.Count);
        Assert.Single(_platform.Ndp(4).Sent);
    }

    [Fact]
    public async Task Interface_going_down_closes_its_responders_and_coming_back_reopens_them()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        var arp = _platform.Arp(3);
        _platform.Interfaces[1] = _platform.Interfaces[1] with { Flags = IronLb.Networking.Interfaces.InterfaceFlags.Broadcast };
        _announcer.Rescan();
        Assert.Equal(["eno2/arp", "eno2/ndp"], _announcer.Responders);
        Assert.True(arp.Disposed);
        Assert.True(_platform.Groups[3].Disposed);

        _platform.Interfaces[1] = FakePlatform.Eth("eno3", 3);
        _time.Advance(TimeSpan.FromSeconds(10)); // the periodic scan
        Assert.Equal(["eno2/arp", "eno2/ndp", "eno3/arp", "eno3/ndp"], _announcer.Responders);
        Assert.NotSame(arp, _platform.Arp(3));
    }

    [Fact]
    public async Task Requests_are_answered_from_the_current_table_and_counted()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")));
        var eno2 = _platform.Arp(2);
        var sentBefore = eno2.Sent.Count;
        eno2.Inject(Frames.Arp());
        eno2.Inject(Frames.Arp(target: "192.0.2.200"));
        _platform.Arp(3).Inject(Frames.Arp());
        eno2.Inject(Frames.Arp()[..20]);

        await Eventually.WaitForAsync(() => _announcer.DropCounts().Values.Sum() == 4, "four dropped frames counted");
        var drops = _announcer.DropCounts();
        Assert.Equal(1, drops[DropReason.None]);
        Assert.Equal(1, drops[DropReason.NotOwned]);
        Assert.Equal(1, drops[DropReason.WrongInterface]);
        Assert.Equal(1, drops[DropReason.Truncated]);
        Assert.Equal(sentBefore + 1, eno2.Sent.Count);
        Assert.Empty(_platform.Arp(3).Sent);
    }

    [Fact]
    public async Task Metrics_use_MetalLB_names_with_the_ip_label()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<(string Name, string? Ip), long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, _meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? ip = null;
            foreach (var tag in tags)
            {
                ip = tag.Key == "ip" ? tag.Value as string : ip;
            }

            seen.AddOrUpdate((instrument.Name, ip), value, (_, v) => v + value);
        });
        listener.Start();

        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")).With(V6, InterfaceSelection.Only("eno2")));
        _platform.Arp(2).Inject(Frames.Arp());
        _platform.Ndp(2).Inject(Frames.Ns());
        await Eventually.WaitForAsync(
            () => seen.GetValueOrDefault(("metallb_layer2_responses_sent", "2001:db8:2::100")) == 1
                && seen.GetValueOrDefault(("metallb_layer2_responses_sent", "192.0.2.100")) == 1,
            "one response counted per family");

        Assert.Equal(1, seen[("metallb_layer2_requests_received", "192.0.2.100")]);
        Assert.Equal(1, seen[("metallb_layer2_requests_received", "2001:db8:2::100")]);
        Assert.Equal(2, seen[("metallb_layer2_gratuitous_sent", "192.0.2.100")]); // one round: request + reply
        Assert.Equal(1, seen[("metallb_layer2_gratuitous_sent", "2001:db8:2::100")]); // one NA
    }

    [Fact]
    public async Task The_responder_gauge_names_every_responder_and_its_path()
    {
        // The announcer's own meters only: other tests in this process run announcers too (some with a fake
        // kernel path), and their gauges share the meter's name.
        using var meters = new ScopedMeters();
        await using var announcer = new Layer2Announcer(new Layer2Options(), _platform, _platform, _time, null, meters);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "ironlb_layer2_responder")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            seen[string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"))] = value);
        listener.Start();

        await announcer.StartAsync(TestContext.Current.CancellationToken);
        listener.RecordObservableInstruments();

        // The fake platform has no kernel path, so every responder answers from userspace.
        Assert.Equal(1, seen["interface=eno2,protocol=arp,path=userspace"]);
        Assert.Equal(1, seen["interface=eno2,protocol=ndp,path=userspace"]);
        Assert.DoesNotContain(seen.Keys, k => k.Contains("path=kernel", StringComparison.Ordinal));
    }


    [Fact]
    public async Task Every_lane_answers_on_its_own_socket_and_counts_survive_a_restart()
    {
        // Three lanes as PerCpu would open on three CPUs (the fakes ignore pinning; only the socket matters).
        _platform.PlacementToUse = new ResponderPlacement([0, 1, 2], null, 0, 0);
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")));
        var lanes = _platform.Lanes[(2, "arp")];
        Assert.Equal(3, lanes.Length);
        var sentBefore = lanes.Select(l => l.Sent.Count).ToArray();
        lanes[1].Inject(Frames.Arp());
        lanes[2].Inject(Frames.Arp(target: "192.0.2.200"));
        await Eventually.WaitForAsync(() => _announcer.DropCounts().Values.Sum() == 2, "two dropped frames counted");

        Assert.Equal(sentBefore[1] + 1, lanes[1].Sent.Count);   // the reply left through the lane that got the request
        Assert.Equal(sentBefore[2], lanes[2].Sent.Count);
        Assert.Equal(sentBefore[0], lanes[0].Sent.Count);

        // The interface's MAC changes: its responders are rebuilt, and the counts of the old lanes remain.
        _platform.Interfaces[0] = _platform.Interfaces[0] with { Mac = new MacAddress(0x0200_0000_0099UL) };
        _announcer.Rescan();
        Assert.NotSame(lanes, _platform.Lanes[(2, "arp")]);
        var drops = _announcer.DropCounts();
        Assert.Equal(1, drops[DropReason.None]);
        Assert.Equal(1, drops[DropReason.NotOwned]);
    }
}
