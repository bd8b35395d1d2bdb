namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// One node's clocks in the simulation: a monotonic clock running at its own rate (ppm off true time) and a wall
/// clock that can be stepped. The protocol must only ever read the monotonic one, so steps must change nothing.
/// </summary>
internal sealed class SimClock(Func<TimeSpan> trueTime, double ratePpm, TimeSpan monotonicOffset) : TimeProvider
{
    private TimeSpan _wallStep;

    public double RatePpm { get; } = ratePpm;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() =>
        (long)(trueTime().Ticks * (1 + (RatePpm * 1e-6))) + monotonicOffset.Ticks;

    public override DateTimeOffset GetUtcNow() =>
        new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero) + trueTime() + _wallStep;

    /// <summary>What NTP or an operator does to the wall clock; the monotonic clock does not move.</summary>
    public void StepWall(TimeSpan step) => _wallStep += step;
}
