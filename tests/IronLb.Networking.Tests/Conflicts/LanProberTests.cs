using System.Diagnostics;
using System.Net;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Tests.Packets;
using IronLb.Networking.Tests.Responders;

namespace IronLb.Networking.Tests.Conflicts;

/// <summary>
/// <see cref="LanProber"/> over in-memory interfaces and sockets: what it sends, what it counts as an answer, and
/// how it fails. The kernel as the other host is in <see cref="ConflictKernelPeerTests"/>.
/// </summary>
public sealed class LanProberTests
{
    private static readonly MacAddress Rogue = MacAddress.Parse("02:00:00:00:00:ee");
    private static readonly IPAddress TakenV4 = IPAddress.Parse("192.0.2.100");
    private static readonly IPAddress FreeV4 = IPAddress.Parse("192.0.2.101");
    private static readonly IPAddress TakenV6 = IPAddress.Parse("2001:db8:2::100");
    private static readonly IPAddress FreeV6 = IPAddress.Parse("2001:db8:2::101");

    /// <summary>Quick, so the tests take milliseconds; the schedule's shape is the same as the defaults'.</summary>
    private static readonly ProbeSettings Quick = new() { Count = 2, Interval = TimeSpan.FromMilliseconds(1), Wait = TimeSpan.FromMilliseconds(30), MaxPacketsPerSecond = 1000 };

    private readonly FakePlatform _platform = new();
    private readonly MacAddress _own;

    public LanProberTests()
    {
        _platform.Interfaces.Add(FakePlatform.Eth("eno2", 2));
        _own = _platform.Interfaces[0].Mac;
    }

    [Fact]
    public async Task Foreign_claims_make_an_address_in_use_and_the_rest_are_free()
    {
        _platform.Opened = (kind, transport) =>
        {
            if (kind == "arp")
            {
                transport.Inject(Frames.Arp(op: ArpPacket.OpReply, sender: "192.0.2.100", target: "0.0.0.0", ethSrc: Rogue, ethDst: _own));
                transport.Inject(Frames.Arp(op: ArpPacket.OpReply, sender: "192.0.2.100", target: "0.0.0.0", ethSrc: Rogue, ethDst: _own)); // twice: one MAC
                transport.Inject(Frames.Arp(sender: "192.0.2.101", target: "192.0.2.101", ethSrc: _own)); // ours: never a claim
                transport.Inject(Frames.Arp(op: ArpPacket.OpReply, sender: "192.0.2.200", target: "0.0.0.0", ethSrc: Rogue)); // not probed
            }
            else
            {
                transport.Inject(Frames.Na(target: "2001:db8:2::100", ethSrc: Rogue));
                transport.Inject(Frames.Ns(target: "2001:db8:2::101")); // an ordinary solicitation claims nothing
            }
        };

        var outcomes = await Prober().ProbeAsync("eno2", [TakenV4, FreeV4, TakenV6, FreeV6], Quick, TestContext.Current.CancellationToken);

        Assert.Equal([TakenV4, FreeV4, TakenV6, FreeV6], outcomes.Select(o => o.Address));
        Assert.All(outcomes, o => Assert.Equal(("eno2", (string?)null), (o.Interface, o.Error)));
        Assert.Equal([[Rogue], [], [Rogue], []], outcomes.Select(o => o.Responders.ToArray()));
        Assert.Equal([true, false, true, false], outcomes.Select(o => o.InUse));

        // Two rounds of one probe per address, as RFC 5227 and RFC 4862 write them; then the sockets are closed.
        var arpProbe = new byte[64];
        var n = ArpPacket.WriteProbeFrame(arpProbe, _own, Frames.V4("192.0.2.100"));
        Assert.Equal(4, _platform.Arp(2).Sent.Count);
        Assert.Equal(2, _platform.Arp(2).Sent.Count(f => f.AsSpan().SequenceEqual(arpProbe.AsSpan(0, n))));
        var dad = new byte[128];
        n = NeighborSolicitation.WriteDadProbe(dad, _own, Frames.V6("2001:db8:2::101"));
        Assert.Equal(4, _platform.Ndp(2).Sent.Count);
        Assert.Equal(2, _platform.Ndp(2).Sent.Count(f => f.AsSpan().SequenceEqual(dad.AsSpan(0, n))));
        Assert.True(_platform.Arp(2).Disposed && _platform.Ndp(2).Disposed, "sockets closed before the call returned");

        // The solicited-node groups were joined for the probes (RFC 4862 §5.4.2) and left with them.
        Assert.Equal([Ipv6Header.SolicitedNode(Frames.V6("2001:db8:2::100")), Ipv6Header.SolicitedNode(Frames.V6("2001:db8:2::101"))], _platform.Groups[2].Joined.Order());
        Assert.True(_platform.Groups[2].Disposed);
    }

    [Fact]
    public async Task Another_hosts_probe_for_the_same_address_is_a_conflict_too()
    {
        _platform.Opened = (kind, transport) => transport.Inject(kind == "arp"
            ? Frames.Arp(sender: "0.0.0.0", target: "192.0.2.100", ethSrc: Rogue)
            : Frames.Ns(source: "::", withSll: false, target: "2001:db8:2::100", ethSrc: Rogue));
        var outcomes = await Prober().ProbeAsync("eno2", [TakenV4, TakenV6], Quick, TestContext.Current.CancellationToken);
        Assert.Equal([[Rogue], [Rogue]], outcomes.Select(o => o.Responders.ToArray()));
    }

    [Theory]
    [InlineData("eno9", "interface eno9 not found")]
    [InlineData("down0", "interface down0 is down")]
    [InlineData("wg0", "interface wg0 is not an Ethernet interface")]
    public async Task An_interface_that_cannot_be_probed_on_is_an_error_not_an_exception(string name, string error)
    {
        _platform.Interfaces.Add(FakePlatform.Eth("down0", 5) with { Flags = InterfaceFlags.Broadcast });
        _platform.Interfaces.Add(FakePlatform.Eth("wg0", 6) with { LinkType = 65534 });
        var outcomes = await Prober().ProbeAsync(name, [TakenV4, TakenV6], Quick, TestContext.Current.CancellationToken);
        Assert.Equal([(TakenV4, error, false), (TakenV6, error, false)], outcomes.Select(o => (o.Address, o.Error, o.InUse)));
        Assert.Empty(_platform.Transports);
    }

    [Fact]
    public async Task A_refused_socket_fails_its_family_and_the_other_family_is_still_probed()
    {
        _platform.OpenRefusal = kind => kind == "ndp" ? new System.Net.Sockets.SocketException(1) : null;
        _platform.Opened = (_, transport) => transport.Inject(Frames.Arp(op: ArpPacket.OpReply, sender: "192.0.2.100", target: "0.0.0.0", ethSrc: Rogue));
        var outcomes = await Prober().ProbeAsync("eno2", [TakenV4, TakenV6], Quick, TestContext.Current.CancellationToken);
        Assert.Equal([Rogue], outcomes[0].Responders);
        Assert.Null(outcomes[0].Error);
        Assert.StartsWith("cannot open an IPv6 packet socket on eno2: ", outcomes[1].Error, StringComparison.Ordinal);
        Assert.False(outcomes[1].InUse);
    }

    [Fact]
    public async Task With_every_socket_refused_each_address_says_why_and_nothing_waits()
    {
        _platform.OpenRefusal = _ => new System.Net.Sockets.SocketException(1);
        var slow = Quick with { Wait = TimeSpan.FromHours(1) };
        var outcomes = await Prober().ProbeAsync("eno2", [TakenV4, TakenV6], slow, TestContext.Current.CancellationToken);
        Assert.StartsWith("cannot open an ARP socket on eno2: ", outcomes[0].Error, StringComparison.Ordinal);
        Assert.StartsWith("cannot open an IPv6 packet socket on eno2: ", outcomes[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_ends_the_call_and_closes_its_sockets()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _platform.Opened = (_, _) => cts.Cancel();
        var slow = Quick with { Count = 10, Interval = TimeSpan.FromMinutes(1) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Prober().ProbeAsync("eno2", [TakenV4, TakenV6], slow, cts.Token));
        Assert.All(_platform.Transports.Values, t => Assert.True(t.Disposed));
    }

    [Fact]
    public async Task Probes_are_spaced_by_the_rate_limit_across_addresses_and_rounds()
    {
        var limited = Quick with { Count = 2, Interval = TimeSpan.Zero, MaxPacketsPerSecond = 100 };
        IPAddress[] addresses = [.. Enumerable.Range(1, 3).Select(i => IPAddress.Parse($"192.0.2.{i}")), .. Enumerable.Range(1, 3).Select(i => IPAddress.Parse($"2001:db8:2::{i}"))];
        await Prober().ProbeAsync("eno2", addresses, limited, TestContext.Current.CancellationToken);

        // Probe k goes out no sooner than k / 100 s after the first one's schedule: only a lower bound, which a
        // slow machine can only make larger. (One spacing of slack for the first probe's own delay.)
        var sent = _platform.Arp(2).SentAt.Concat(_platform.Ndp(2).SentAt).Order().ToArray();
        Assert.Equal(12, sent.Length);
        for (var k = 1; k < sent.Length; k++)
        {
            Assert.True(Stopwatch.GetElapsedTime(sent[0], sent[k]) >= TimeSpan.FromMilliseconds(10 * (k - 1)), $"probe {k} went out too early");
        }
    }

    [Fact]
    public async Task Duplicates_are_probed_once_per_round_and_reported_for_each_mention()
    {
        var outcomes = await Prober().ProbeAsync("eno2", [TakenV4, IPAddress.Parse("::ffff:192.0.2.100")], Quick, TestContext.Current.CancellationToken);
        Assert.Equal(2, outcomes.Count);
        Assert.Equal(2, _platform.Arp(2).Sent.Count);
        Assert.Empty(await Prober().ProbeAsync("eno2", [], Quick, TestContext.Current.CancellationToken));
    }

    private LanProber Prober() => new(TimeProvider.System, null, _platform, _platform);
}
