using System.Diagnostics;

namespace IronLb.Testing;

/// <summary>Polls until a condition holds: a generous deadline, never a timed assertion. The one waiting loop of the tests.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Probes until <paramref name="condition"/> holds for the probed value, and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 60)
    {
        var deadline = Stopwatch.StartNew();
        var last = await probe().ConfigureAwait(false);
        while (!condition(last))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(seconds), $"timed out waiting for {what}; last value: {Describe(last)}");
            await Task.Delay(Interval).ConfigureAwait(false);
            last = await probe().ConfigureAwait(false);
        }

        return last;
    }

    /// <summary>Waits until <paramref name="condition"/> is true; on giving up, <paramref name="describe"/> says what the state was.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null, Func<Task<string>>? describe = null)
    {
        var elapsed = Stopwatch.StartNew();
        var limit = deadline ?? DefaultDeadline;
        while (!await condition().ConfigureAwait(false))
        {
            if (elapsed.Elapsed > limit)
            {
                Assert.Fail($"gave up waiting for: {what}{(describe is null ? string.Empty : "; state: " + await describe().ConfigureAwait(false))}");
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    /// <summary>The same for a condition that needs no I/O.</summary>
    public static Task WaitForAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        WaitForAsync(() => Task.FromResult(condition()), what, deadline);

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value?.ToString() ?? "null",
    };
}
