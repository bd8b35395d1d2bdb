using System.Globalization;

namespace IronLb.Monitoring;

/// <summary>
/// What /healthz reports: healthy while a loop that should run every few milliseconds keeps beating. A loop
/// that stops (a frozen process, a hung runtime, a deadlock) turns /healthz into a 503 with the reason, and
/// the kubelet's liveness probe restarts the process. Before the first beat it is healthy: start-up (informer
/// sync, the first list) can take long, and readiness, not liveness, covers it.
/// </summary>
public sealed class Liveness
{
    private const long NotYet = long.MinValue;

    private readonly TimeProvider _time;
    private readonly string _what;
    private long _last = NotYet;

    /// <param name="time">The monotonic clock the beats are timed on.</param>
    /// <param name="window">How late a beat may be before the process counts as not alive.</param>
    /// <param name="what">The loop, as the failure names it ("membership loop").</param>
    public Liveness(TimeProvider time, TimeSpan window, string what)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _time = time;
        Window = window;
        _what = what;
    }

    public TimeSpan Window { get; }

    /// <summary>The loop ran; called by it, on every round.</summary>
    public void Beat() => Volatile.Write(ref _last, _time.GetTimestamp());

    /// <summary>Null while alive; otherwise why not, for the 503's body.</summary>
    public string? Failure()
    {
        var last = Volatile.Read(ref _last);
        if (last == NotYet)
        {
            return null;
        }

        var since = _time.GetElapsedTime(last);
        return since <= Window
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{_what} has not run for {since.TotalMilliseconds:F0} ms (window {Window.TotalMilliseconds:F0} ms)");
    }
}
