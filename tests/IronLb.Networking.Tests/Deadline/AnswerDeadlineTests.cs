using Microsoft.Extensions.Time.Testing;

namespace IronLb.Networking.Tests.Deadline;

/// <summary>The answer deadline's arithmetic on a fake clock: when answers are allowed, and what the kernel's map gets.</summary>
public sealed class AnswerDeadlineTests
{
    // Early on day 2 of year 1: the fake clock's timestamps are its UtcNow in 100 ns ticks, and only this close to
    // its start do they fit a u64 in nanoseconds, as a real monotonic clock's (time since boot) do.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(1, 1, 2, 0, 0, 0, TimeSpan.Zero));
    private readonly AnswerDeadline _deadline;

    public AnswerDeadlineTests() => _deadline = new AnswerDeadline(_time);

    [Fact]
    public void Never_refreshed_it_is_unbounded_so_an_announcer_nobody_refreshes_answers_as_before()
    {
        Assert.True(_deadline.IsOpen);
        Assert.Null(_deadline.Remaining);
        Assert.Equal(ulong.MaxValue, _deadline.KernelValue);
        _time.Advance(TimeSpan.FromDays(1000));
        Assert.True(_deadline.IsOpen);
    }

    [Fact]
    public void A_refresh_allows_answers_up_to_and_including_the_deadline_and_not_a_tick_after()
    {
        _deadline.Refresh(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(300), _deadline.Remaining);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(_deadline.IsOpen); // the kernel's rule: closed only when now > deadline
        Assert.Equal(TimeSpan.Zero, _deadline.Remaining);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(_deadline.IsOpen);

        // A late refresh reopens at once, from now.
        _deadline.Refresh(TimeSpan.FromMilliseconds(300));
        Assert.True(_deadline.IsOpen);
        Assert.Equal(TimeSpan.FromMilliseconds(300), _deadline.Remaining);
    }

    [Fact]
    public void Refreshes_every_tick_keep_it_open_indefinitely()
    {
        for (var tick = 0; tick < 1000; tick++)
        {
            _deadline.Refresh(TimeSpan.FromMilliseconds(300));
            _time.Advance(TimeSpan.FromMilliseconds(25));
            Assert.True(_deadline.IsOpen);
        }

        // The ticks stop (SIGSTOP): 300 ms after the last one, and not before, answers stop.
        _time.Advance(TimeSpan.FromMilliseconds(275));
        Assert.True(_deadline.IsOpen);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_deadline.IsOpen);
    }

    [Fact]
    public void Revoke_closes_at_once_and_a_refresh_reopens()
    {
        _deadline.Refresh(TimeSpan.FromSeconds(10));
        _deadline.Revoke();
        Assert.False(_deadline.IsOpen);
        Assert.Equal(TimeSpan.Zero, _deadline.Remaining);
        Assert.Equal(0UL, _deadline.KernelValue);
        _deadline.Refresh(TimeSpan.FromSeconds(10));
        Assert.True(_deadline.IsOpen);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_window_that_is_not_positive_is_refused(int milliseconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _deadline.Refresh(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void A_window_too_long_to_add_saturates_below_unbounded()
    {
        _deadline.Refresh(TimeSpan.MaxValue);
        Assert.True(_deadline.IsOpen);
        Assert.NotNull(_deadline.Remaining);
        Assert.NotEqual(ulong.MaxValue, _deadline.KernelValue);
    }

    public static TheoryData<string, long, long, ulong> KernelValues() => new()
    {
        // Stopwatch on Linux ticks in nanoseconds of CLOCK_MONOTONIC: the value goes into the map unchanged.
        { "1 GHz timestamps pass unchanged", 5_000_000_123, 1_000_000_000, 5_000_000_123 },
        { "100 ns ticks scale to nanoseconds", 7, TimeSpan.TicksPerSecond, 700 },
        { "revoked is 0: the kernel answers nothing", long.MinValue, 1_000_000_000, 0 },
        { "unbounded is the largest u64: never passed", long.MaxValue, 1_000_000_000, ulong.MaxValue },
        { "a product beyond u64 saturates just below unbounded", long.MaxValue - 1, 1, ulong.MaxValue - 1 },
        { "a negative timestamp is treated as passed", -5, 1_000_000_000, 0 },
    };

    [Theory]
    [MemberData(nameof(KernelValues))]
    public void Kernel_values(string row, long deadline, long frequency, ulong expected) =>
        Assert.True(expected == AnswerDeadline.ToKernel(deadline, frequency), $"{row}: got {AnswerDeadline.ToKernel(deadline, frequency)}");

    [Fact]
    public void A_bound_kernel_map_gets_the_current_value_then_every_change_and_nothing_once_unbound()
    {
        var written = new List<ulong>();
        _deadline.Bind(written.Add);
        Assert.Equal([ulong.MaxValue], written);
        _deadline.Refresh(TimeSpan.FromMilliseconds(300));
        var refreshed = _deadline.KernelValue;
        _deadline.Revoke();
        Assert.Equal([ulong.MaxValue, refreshed, 0UL], written);
        Assert.Equal((ulong)(_time.GetTimestamp() + (300 * TimeSpan.TicksPerMillisecond)) * 100, refreshed); // fake ticks are 100 ns
        _deadline.Bind(null);
        _deadline.Refresh(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, written.Count);
    }
}
