namespace IronLb.Membership.Simulation;

/// <summary>
/// One node's view of time over the shared fake clock: its monotonic clock and wall clock run at
/// 1 + <see cref="RatePpm"/> × 10⁻⁶ of the shared rate, and either can be stepped. Real oscillators differ by
/// up to about ±200 ppm, and NTP steps wall clocks; a protocol that compares clocks across nodes shows it here.
/// Timers are the shared clock's, not rate-adjusted: the protocols under test are ticked, they set no timers.
/// </summary>
public sealed class NodeClock : TimeProvider
{
    private readonly TimeProvider _shared;
    private long _anchorShared;
    private long _anchorLocal;
    private DateTimeOffset _anchorWall;
    private double _factor = 1.0;
    private double _ratePpm;

    public NodeClock(TimeProvider shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        _shared = shared;
        _anchorShared = shared.GetTimestamp();
        _anchorLocal = _anchorShared;
        _anchorWall = shared.GetUtcNow();
    }

    /// <summary>Drift against the shared clock in parts per million (positive runs fast). Changing it keeps both clocks continuous.</summary>
    public double RatePpm
    {
        get => _ratePpm;
        set
        {
            Reanchor();
            _ratePpm = value;
            _factor = 1.0 + (value / 1_000_000.0);
        }
    }

    public override long TimestampFrequency => _shared.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _shared.LocalTimeZone;

    public override long GetTimestamp() => _anchorLocal + Scaled(_shared.GetTimestamp() - _anchorShared);

    public override DateTimeOffset GetUtcNow() =>
        _anchorWall + TimeSpan.FromTicks((long)(Scaled(_shared.GetTimestamp() - _anchorShared) * ((double)TimeSpan.TicksPerSecond / TimestampFrequency)));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _shared.CreateTimer(callback, state, dueTime, period);

    /// <summary>Jumps the wall clock (an NTP step, a VM restored from a snapshot): forwards or backwards.</summary>
    public void StepWall(TimeSpan by)
    {
        Reanchor();
        _anchorWall += by;
    }

    /// <summary>Jumps the monotonic clock forwards (a suspended VM whose clock catches up); never backwards.</summary>
    public void StepMonotonic(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Reanchor();
        _anchorLocal += (long)(by.TotalSeconds * TimestampFrequency);
    }

    private long Scaled(long sharedDelta) => _factor == 1.0 ? sharedDelta : (long)(sharedDelta * _factor);

    private void Reanchor()
    {
        var now = _shared.GetTimestamp();
        _anchorWall = GetUtcNow();
        _anchorLocal = GetTimestamp();
        _anchorShared = now;
    }
}
