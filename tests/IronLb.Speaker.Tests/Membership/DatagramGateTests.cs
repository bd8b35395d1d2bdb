using System.Net;
using IronLb.Speaker.Membership;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>The pre-filter in front of decoding: known sources, size, a token bucket per source.</summary>
public sealed class DatagramGateTests
{
    private const int MaxLength = 1_000;
    private static readonly IPAddress PeerA = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress PeerB = IPAddress.Parse("2001:db8::b");
    private static readonly IPAddress Stranger = IPAddress.Parse("198.51.100.66");

    private readonly FakeTimeProvider _time = new();
    private readonly DatagramGate _gate;

    public DatagramGateTests()
    {
        _gate = new DatagramGate(new DatagramGateOptions(), _time);
        _gate.SetSources([PeerA, PeerB], MaxLength);
    }

    public static TheoryData<string, string, int, string> Rows() => new()
    {
        { "a peer's IPv4 address", "192.0.2.10", 200, nameof(ReceiveOutcome.Accepted) },
        { "a peer's IPv6 address", "2001:db8::b", 200, nameof(ReceiveOutcome.Accepted) },
        { "a peer's IPv4 address as a dual-stack socket reports it", "::ffff:192.0.2.10", 200, nameof(ReceiveOutcome.Accepted) },
        { "a peer's address with an interface scope", "2001:db8::b%3", 200, nameof(ReceiveOutcome.Accepted) },
        { "exactly the longest datagram", "192.0.2.10", MaxLength, nameof(ReceiveOutcome.Accepted) },
        { "a stranger", "198.51.100.66", 200, nameof(ReceiveOutcome.UnknownSource) },
        { "a stranger's oversized datagram counts as the stranger's", "198.51.100.66", MaxLength + 1, nameof(ReceiveOutcome.UnknownSource) },
        { "a neighbour of a peer's address", "192.0.2.11", 200, nameof(ReceiveOutcome.UnknownSource) },
        { "the IPv6 form of no peer", "::ffff:198.51.100.66", 200, nameof(ReceiveOutcome.UnknownSource) },
        { "a peer's oversized datagram", "192.0.2.10", MaxLength + 1, nameof(ReceiveOutcome.Oversized) },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Checks_the_source_and_the_size(string row, string source, int length, string expected)
    {
        Assert.True(Enum.Parse<ReceiveOutcome>(expected) == _gate.Check(IPAddress.Parse(source), length), row);
    }

    [Fact]
    public void A_full_bucket_lets_a_burst_through_then_refuses()
    {
        var burst = Take(PeerA, 200);

        Assert.Equal(120, burst.Count(o => o == ReceiveOutcome.Accepted));
        Assert.All(burst.Skip(120), o => Assert.Equal(ReceiveOutcome.RateLimited, o));

        // Only this source ran dry.
        Assert.Equal(ReceiveOutcome.Accepted, _gate.Check(PeerB, 200));
    }

    [Fact]
    public void An_empty_bucket_refills_at_the_steady_rate_and_never_beyond_the_burst()
    {
        Take(PeerA, 200);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(60, Take(PeerA, 200).Count(o => o == ReceiveOutcome.Accepted));

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(120, Take(PeerA, 500).Count(o => o == ReceiveOutcome.Accepted));
    }

    [Theory]
    [InlineData(10)] // v1: one heartbeat every 100 ms
    [InlineData(50)] // v2: heartbeats, echoes and gossip
    [InlineData(59)]
    public void A_genuine_peer_at_its_protocol_rate_is_never_limited(int perSecond)
    {
        var step = TimeSpan.FromSeconds(1.0 / perSecond);
        for (var i = 0; i < perSecond * 60; i++)
        {
            Assert.Equal(ReceiveOutcome.Accepted, _gate.Check(PeerA, 200));
            _time.Advance(step);
        }
    }

    [Fact]
    public void A_flood_from_a_peer_address_gets_the_steady_rate_only()
    {
        // 1,000 datagrams a second for 10 s: the burst, then 60 a second.
        var accepted = 0;
        for (var i = 0; i < 10_000; i++)
        {
            accepted += _gate.Check(PeerA, 200) == ReceiveOutcome.Accepted ? 1 : 0;
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(accepted, 120 + 590, 120 + 601);
    }

    [Fact]
    public void An_oversized_datagram_costs_the_source_no_token()
    {
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(ReceiveOutcome.Oversized, _gate.Check(PeerA, MaxLength + 1));
        }

        Assert.Equal(120, Take(PeerA, 120).Count(o => o == ReceiveOutcome.Accepted));
    }

    [Fact]
    public void A_discovery_change_keeps_the_buckets_of_the_sources_that_stay()
    {
        Take(PeerA, 200);
        var newcomer = IPAddress.Parse("203.0.113.7");
        _gate.SetSources([PeerA, newcomer], MaxLength);

        Assert.Equal(ReceiveOutcome.RateLimited, _gate.Check(PeerA, 200));
        Assert.Equal(ReceiveOutcome.Accepted, _gate.Check(newcomer, 200));
        Assert.Equal(ReceiveOutcome.UnknownSource, _gate.Check(PeerB, 200));
        Assert.Equal(ReceiveOutcome.UnknownSource, _gate.Check(Stranger, 200));
    }

    [Fact]
    public void Advertised_addresses_are_normalised_too()
    {
        _gate.SetSources([IPAddress.Parse("::ffff:203.0.113.9")], MaxLength);

        Assert.Equal(ReceiveOutcome.Accepted, _gate.Check(IPAddress.Parse("203.0.113.9"), 200));
        Assert.Equal(ReceiveOutcome.Accepted, _gate.Check(IPAddress.Parse("::ffff:203.0.113.9"), 200));
        Assert.Equal([IPAddress.Parse("203.0.113.9")], _gate.Known);
    }

    [Fact]
    public void Before_discovery_every_source_is_unknown()
    {
        var empty = new DatagramGate(new DatagramGateOptions(), _time);

        Assert.Equal(ReceiveOutcome.UnknownSource, empty.Check(PeerA, 10));
    }

    [Fact]
    public void Configured_limits_apply()
    {
        var gate = new DatagramGate(new DatagramGateOptions { SteadyPerSecond = 5, Burst = 2 }, _time);
        gate.SetSources([PeerA], MaxLength);

        Assert.Equal([ReceiveOutcome.Accepted, ReceiveOutcome.Accepted, ReceiveOutcome.RateLimited], Take(gate, PeerA, 3));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal([ReceiveOutcome.Accepted, ReceiveOutcome.RateLimited], Take(gate, PeerA, 2));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(1, 0)]
    public void Limits_that_admit_nothing_are_refused(double steady, int burst)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatagramGate(new DatagramGateOptions { SteadyPerSecond = steady, Burst = burst }, _time));
    }

    [Fact]
    public void The_longest_v1_heartbeat_fits_and_grows_with_the_speakers()
    {
        Assert.True(MembershipLoop.LongestHeartbeat(3) > 40 + 254 + 2 + (3 * 254) + 32);
        Assert.True(MembershipLoop.LongestHeartbeat(10) > MembershipLoop.LongestHeartbeat(3));
        Assert.Equal(MembershipCodec.MaxDatagram, MembershipLoop.LongestHeartbeat(1_000));
    }

    private List<ReceiveOutcome> Take(IPAddress source, int count) => Take(_gate, source, count);

    private static List<ReceiveOutcome> Take(DatagramGate gate, IPAddress source, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => gate.Check(source, 200))];
}
