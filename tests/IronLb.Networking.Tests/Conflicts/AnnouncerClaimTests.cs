using System.Collections.Concurrent;
using System.Net;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Packets;
using IronLb.Networking.Tests.Packets;
using IronLb.Networking.Tests.Responders;
using Microsoft.Extensions.Time.Testing;
using static IronLb.Testing.Eventually;

namespace IronLb.Networking.Tests.Conflicts;

/// <summary>
/// The announcer's side of conflict detection over in-memory sockets: claims reach <see cref="Layer2Announcer.ClaimObserved"/>
/// from the responder threads, <see cref="Layer2Announcer.Watch"/> widens what is reported, and
/// <see cref="Layer2Announcer.Defend"/> sends one round under its floor.
/// </summary>
public sealed class AnnouncerClaimTests : IAsyncDisposable
{
    private static readonly IPAddress V4 = IPAddress.Parse("192.0.2.100");
    private static readonly IPAddress V6 = IPAddress.Parse("2001:db8:2::100");
    private static readonly MacAddress Rogue = MacAddress.Parse("02:00:00:00:00:ee");

    private readonly FakePlatform _platform = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ScopedMeters _meters = new();
    private readonly Layer2Announcer _announcer;
    private readonly ConcurrentQueue<AddressClaim> _claims = new();

    public AnnouncerClaimTests()
    {
        _platform.Interfaces.Add(FakePlatform.Eth("eno2", 2));
        _platform.Interfaces.Add(FakePlatform.Eth("eno3", 3));
        _announcer = new Layer2Announcer(new Layer2Options(), _platform, _platform, _time, null, _meters);
        _announcer.ClaimObserved = _claims.Enqueue;
    }

    public async ValueTask DisposeAsync()
    {
        await _announcer.DisposeAsync();
        _meters.Dispose();
    }

    [Fact]
    public async Task A_gratuitous_arp_for_an_announced_address_is_reported_and_not_answered()
    {
        await StartAnnouncingAsync();
        var sent = _platform.Arp(2).Sent.Count;
        _platform.Arp(2).Inject(Frames.Arp(sender: "192.0.2.100", target: "192.0.2.100", ethSrc: Rogue));
        await WaitForAsync(() => !_claims.IsEmpty, "the announcement to be reported");
        Assert.Equal(new AddressClaim("eno2", V4, Rogue, ClaimKind.ArpAnnouncement), Assert.Single(_claims));
        Assert.Equal(sent, _platform.Arp(2).Sent.Count);
        Assert.Equal(1, _announcer.DropCounts()[DropReason.Announcement]);
    }

    [Fact]
    public async Task A_request_is_still_answered_and_claims_nothing()
    {
        await StartAnnouncingAsync();
        var sent = _platform.Arp(2).Sent.Count;
        _platform.Arp(2).Inject(Frames.Arp(target: "192.0.2.100"));
        _platform.Arp(2).Inject(Frames.Arp(op: ArpPacket.OpReply, sender: "192.0.2.100", target: "192.0.2.1", ethSrc: Rogue)); // a claim, after it
        await WaitForAsync(() => !_claims.IsEmpty, "the reply's claim");
        Assert.Equal(sent + 1, _platform.Arp(2).Sent.Count);
        Assert.Equal(ClaimKind.ArpReply, Assert.Single(_claims).Kind);
    }

    [Fact]
    public async Task An_unsolicited_advertisement_is_reported_and_dropped_as_not_a_request()
    {
        await StartAnnouncingAsync();
        _platform.Ndp(3).Inject(Frames.Na(ethSrc: Rogue));
        await WaitForAsync(() => !_claims.IsEmpty, "the advertisement to be reported");
        Assert.Equal(new AddressClaim("eno3", V6, Rogue, ClaimKind.NeighborAdvertisement), Assert.Single(_claims));
        Assert.Equal(1, _announcer.DropCounts()[DropReason.NotRequest]);
    }

    [Fact]
    public async Task Watched_addresses_are_reported_until_the_watch_is_replaced()
    {
        await StartAnnouncingAsync();
        _announcer.Watch(new HashSet<IPAddress> { IPAddress.Parse("192.0.2.150"), IPAddress.Parse("2001:db8:2::150") });
        _platform.Arp(2).Inject(Frames.Arp(sender: "0.0.0.0", target: "192.0.2.150", ethSrc: Rogue));
        _platform.Ndp(2).Inject(Frames.Ns(source: "::", withSll: false, target: "2001:db8:2::150", ethSrc: Rogue));
        await WaitForAsync(() => _claims.Count == 2, "both probes for watched addresses to be reported");
        Assert.Equal(
            [(IPAddress.Parse("192.0.2.150"), ClaimKind.ArpProbe), (IPAddress.Parse("2001:db8:2::150"), ClaimKind.DadProbe)],
            _claims.Select(c => (c.Address, c.Kind)).OrderBy(c => c.Kind));

        // No longer watched: the same probe is silent; a claim on the table address after it shows it was read.
        _announcer.Watch(new HashSet<IPAddress>());
        _claims.Clear();
        _platform.Arp(2).Inject(Frames.Arp(sender: "0.0.0.0", target: "192.0.2.150", ethSrc: Rogue));
        _platform.Arp(2).Inject(Frames.Arp(sender: "192.0.2.100", target: "192.0.2.100", ethSrc: Rogue));
        await WaitForAsync(() => !_claims.IsEmpty, "the sentinel claim");
        Assert.Equal(V4, Assert.Single(_claims).Address);
    }

    [Fact]
    public async Task An_observer_that_throws_does_not_stop_the_responder()
    {
        await StartAnnouncingAsync();
        _announcer.ClaimObserved = _ => throw new InvalidOperationException("observer bug");
        var sent = _platform.Arp(2).Sent.Count;
        _platform.Arp(2).Inject(Frames.Arp(sender: "192.0.2.100", target: "192.0.2.100", ethSrc: Rogue));
        _platform.Arp(2).Inject(Frames.Arp(target: "192.0.2.100"));
        await WaitForAsync(() => _platform.Arp(2).Sent.Count == sent + 1, "the request after the failed observer to be answered");
    }

    [Fact]
    public async Task Defend_sends_one_round_at_most_once_a_second_per_address()
    {
        await StartAnnouncingAsync();
        var arp = _platform.Arp(2).Sent.Count;
        Assert.Equal(2, _announcer.Defend(V4, "eno2"));              // announcement request and reply
        Assert.Equal(0, _announcer.Defend(V4, "eno2"));              // the floor
        Assert.Equal(1, _announcer.Defend(V6, "eno2"));              // another address has its own turn: one NA
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, _announcer.Defend(V4, "eno2"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, _announcer.Defend(V4, "eno2"));

        var frames = _platform.Arp(2).Sent.Skip(arp).ToArray();
        Assert.Equal(4, frames.Length);
        Assert.All(frames, f =>
        {
            Assert.Equal(DropReason.None, ArpPacket.TryRead(f.AsSpan(14), out var p));
            Assert.Equal((FakePlatform.Eth("eno2", 2).Mac, Frames.V4("192.0.2.100"), Frames.V4("192.0.2.100")), (p.SenderMac, p.SenderIp, p.TargetIp));
        });
        var na = _platform.Ndp(2).Sent.Last();
        Assert.Equal(NeighborAdvertisement.FlagOverride, na[58]);
    }

    [Fact]
    public async Task Defend_sends_nothing_where_the_address_is_not_announced_or_answers_are_stopped()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")));
        Assert.Equal(0, _announcer.Defend(IPAddress.Parse("192.0.2.200"), "eno2")); // not announced
        Assert.Equal(0, _announcer.Defend(V4, "eno3"));                              // not on that interface
        Assert.Equal(0, _announcer.Defend(V4, "eno9"));                              // no such interface
        _announcer.Deadline.Revoke();
        Assert.Equal(0, _announcer.Defend(V4, "eno2"));                              // the answer deadline has passed
    }

    /// <summary>The announcer running, V4 on eno2 and V6 on both interfaces, the first gratuitous round sent.</summary>
    private async Task StartAnnouncingAsync()
    {
        await _announcer.StartAsync(TestContext.Current.CancellationToken);
        _announcer.SetTable(AnnounceTable.Empty.With(V4, InterfaceSelection.Only("eno2")).With(V6, InterfaceSelection.All));
    }
}
