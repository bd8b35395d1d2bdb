using IronLb.Membership.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>A node's clock: its rate against the shared fake clock, and steps of the wall and monotonic clocks.</summary>
public sealed class NodeClockTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(200.0)]
    [InlineData(-200.0)]
    public void The_rate_scales_the_monotonic_and_the_wall_clock(double ppm)
    {
        var shared = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new NodeClock(shared) { RatePpm = ppm };
        var start = clock.GetTimestamp();
        var wall = clock.GetUtcNow();

        shared.Advance(TimeSpan.FromSeconds(1000));

        var expected = TimeSpan.FromSeconds(1000 * (1 + (ppm / 1e6)));
        Assert.InRange(clock.GetElapsedTime(start).Ticks, expected.Ticks - 1, expected.Ticks + 1);
        Assert.InRange((clock.GetUtcNow() - wall).Ticks, expected.Ticks - 1, expected.Ticks + 1);
    }

    [Fact]
    public void Changing_the_rate_keeps_the_clock_continuous()
    {
        var shared = new FakeTimeProvider();
        var clock = new NodeClock(shared) { RatePpm = 1000 };
        var start = clock.GetTimestamp();
        shared.Advance(TimeSpan.FromSeconds(10));

        clock.RatePpm = 0;
        var atChange = clock.GetElapsedTime(start);
        shared.Advance(TimeSpan.FromSeconds(10));

        Assert.InRange(atChange.Ticks, TimeSpan.FromSeconds(10.01).Ticks - 1, TimeSpan.FromSeconds(10.01).Ticks + 1);
        Assert.Equal(atChange + TimeSpan.FromSeconds(10), clock.GetElapsedTime(start));
    }

    [Fact]
    public void Steps_move_the_wall_clock_either_way_and_the_monotonic_clock_only_forwards()
    {
        var shared = new FakeTimeProvider();
        var clock = new NodeClock(shared);
        var start = clock.GetTimestamp();
        var wall = clock.GetUtcNow();

        clock.StepWall(TimeSpan.FromSeconds(-5));
        clock.StepMonotonic(TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.FromSeconds(-5), clock.GetUtcNow() - wall);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.GetElapsedTime(start));
        Assert.Equal(shared.GetUtcNow(), wall); // the shared clock did not move
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.StepMonotonic(TimeSpan.FromSeconds(-1)));
    }
}
