using System.Net;
using IronLb.Networking.Gratuitous;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Networking.Tests.Gratuitous;

/// <summary>§4.9 in virtual time: immediately, then every 1.1 s while the 5 s window is open.</summary>
public sealed class GratuitousSchedulerTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.100");
    private static readonly IPAddress B = IPAddress.Parse("2001:db8:2::100");

    private readonly FakeTimeProvider _time = new();
    private readonly List<(TimeSpan At, IPAddress Ip)> _rounds = [];
    private readonly HashSet<IPAddress> _owned = [A, B];
    private readonly DateTimeOffset _start;

    public GratuitousSchedulerTests() => _start = _time.GetUtcNow();

    [Fact]
    public void Takeover_sends_at_once_then_every_1100ms_for_5s()
    {
        using var s = Create();
        s.Request(A);
        Advance(TimeSpan.FromSeconds(12));
        Assert.Equal([0, 1100, 2200, 3300, 4400], Times(A));
        Assert.Equal(0, s.ActiveCount);
    }

    [Fact]
    public void Request_during_a_burst_extends_it_without_an_extra_immediate_round()
    {
        using var s = Create();
        s.Request(A);
        Advance(TimeSpan.FromMilliseconds(3000));
        s.Request(A);
        Advance(TimeSpan.FromSeconds(12));
        Assert.Equal([0, 1100, 2200, 3300, 4400, 5500, 6600, 7700], Times(A));
    }

    [Fact]
    public void Withdrawn_address_gets_nothing_more()
    {
        using var s = Create();
        s.Request(A);
        Advance(TimeSpan.FromMilliseconds(1500));
        _owned.Remove(A);
        Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([0, 1100], Times(A));
    }

    [Fact]
    public void Not_owned_at_request_time_sends_nothing()
    {
        using var s = Create();
        _owned.Remove(A);
        s.Request(A);
        Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_rounds);
    }

    [Fact]
    public void Two_addresses_share_the_ticker()
    {
        using var s = Create();
        s.Request(A);
        Advance(TimeSpan.FromMilliseconds(500));
        s.Request(B);
        Advance(TimeSpan.FromSeconds(12));
        Assert.Equal([0, 1100, 2200, 3300, 4400], Times(A));
        Assert.Equal([500, 1100, 2200, 3300, 4400], Times(B)); // window ends at 5500: not sent then
    }

    [Fact]
    public void Refresh_is_off_by_default()
    {
        using var s = Create();
        Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(_rounds);
    }

    [Fact]
    public void Refresh_reannounces_every_owned_address_periodically()
    {
        using var s = Create(refresh: TimeSpan.FromSeconds(60));
        Advance(TimeSpan.FromSeconds(125));
        Assert.Equal([60_000, 120_000], Times(A));
        Assert.Equal([60_000, 120_000], Times(B));
    }

    [Fact]
    public void Dispose_stops_everything()
    {
        var s = Create();
        s.Request(A);
        s.Dispose();
        Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([0], Times(A));
    }

    private GratuitousScheduler Create(TimeSpan? refresh = null) =>
        new(_time, _owned.Contains, ip => _rounds.Add((_time.GetUtcNow() - _start, ip)), () => [.. _owned], refresh);

    // Small steps so timers fire at their exact due times.
    private void Advance(TimeSpan total)
    {
        for (var t = TimeSpan.Zero; t < total; t += TimeSpan.FromMilliseconds(100))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    private int[] Times(IPAddress ip) => [.. _rounds.Where(r => r.Ip.Equals(ip)).Select(r => (int)r.At.TotalMilliseconds)];
}
