using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Kubernetes.Tests.Support;

/// <summary>
/// Fake time that also tells which timers the code under test starts: every <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>
/// creates one. A test waits for the next timer, so it knows the code is now waiting, reads the delay it asked
/// for, and advances exactly that far: virtual time moves in the code's own steps, and nothing is raced.
/// </summary>
internal sealed class SteppedTime : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);

    /// <summary>The due time of the next timer started (in order), taken off the list; waits for it with a generous deadline.</summary>
    public async Task<TimeSpan> NextTimerAsync(CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            return await _timers.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail("the code under test never started the timer the test waited for");
            throw;
        }
    }

    /// <summary>Waits until a timer is pending and returns its due time, leaving it for the next step.</summary>
    public async Task<TimeSpan> PendingTimerAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!_timers.Reader.TryPeek(out _))
        {
            try
            {
                await _timers.Reader.WaitToReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("the code under test never started the timer the test waited for");
            }
        }

        _timers.Reader.TryPeek(out var due);
        return due;
    }

    /// <summary>Waits for the next timer and lets it fire; returns its delay.</summary>
    public async Task<TimeSpan> StepAsync(CancellationToken cancellationToken = default)
    {
        var due = await NextTimerAsync(cancellationToken);
        Advance(due);
        return due;
    }
}
