namespace IronLb.Speaker.Membership;

/// <summary>
/// The smallest value seen over the last one to two windows (issue 14, finding 3): two buckets, the current and the
/// previous one, so a base that only ever fell (and, with two clocks running at rates 100 ppm apart, crossed a 2 s
/// limit after some 5.6 hours) now follows a slow drift and forgets it after two windows. Mutable, owned by one peer's state.
/// </summary>
internal struct SlidingMinimum
{
    private TimeSpan _windowStart;
    private long _current;
    private long _previous;
    private bool _started;

    /// <summary>The minimum over the previous and the current window; null before the first value.</summary>
    public readonly long? Value => !_started ? null : Math.Min(_current, _previous);

    /// <summary>Records <paramref name="value"/> seen at <paramref name="now"/> (monotonic), rolling the windows first.</summary>
    public void Add(long value, TimeSpan now, TimeSpan window)
    {
        if (!_started)
        {
            (_started, _windowStart, _current, _previous) = (true, now, value, long.MaxValue);
            return;
        }

        if (now - _windowStart >= window)
        {
            // Exactly one window on: the current becomes the previous. Longer (nothing heard meanwhile): both start over.
            _previous = now - _windowStart < window * 2 ? _current : long.MaxValue;
            _current = long.MaxValue;
            _windowStart = now;
        }

        _current = Math.Min(_current, value);
    }
}
