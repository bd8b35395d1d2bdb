using System.Net;

namespace IronLb.Networking.Gratuitous;

/// <summary>
/// MetalLB's <c>spamLoop</c> (§4.9) on a <see cref="TimeProvider"/>: a request sends one round at once (unless
/// the address is already in a burst), then a shared 1.1 s ticker sends a round for every address whose 5 s
/// window is still open. Ownership is checked before every round, so a withdrawn address gets nothing more.
/// An optional refresh re-announces every owned address periodically (off by default).
/// </summary>
internal sealed class GratuitousScheduler : IDisposable
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromMilliseconds(1100);
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly Func<IPAddress, bool> _isOwned;
    private readonly Action<IPAddress> _sendRound;
    private readonly Func<IEnumerable<IPAddress>> _owned;
    private readonly TimeSpan _period;
    private readonly TimeSpan _window;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, DateTimeOffset> _deadlines = [];
    private readonly ITimer? _refreshTimer;
    private ITimer? _ticker;
    private bool _disposed;

    public GratuitousScheduler(
        TimeProvider time,
        Func<IPAddress, bool> isOwned,
        Action<IPAddress> sendRound,
        Func<IEnumerable<IPAddress>> owned,
        TimeSpan? refreshInterval = null,
        TimeSpan? period = null,
        TimeSpan? window = null)
    {
        _time = time;
        _isOwned = isOwned;
        _sendRound = sendRound;
        _owned = owned;
        _period = period ?? DefaultPeriod;
        _window = window ?? DefaultWindow;
        if (refreshInterval is { } refresh && refresh > TimeSpan.Zero)
        {
            _refreshTimer = time.CreateTimer(_ => Refresh(), null, refresh, refresh);
        }
    }

    /// <summary>Addresses currently in a burst (for tests and diagnostics).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _deadlines.Count;
            }
        }
    }

    /// <summary>Announce <paramref name="address"/> now and keep announcing it for the window.</summary>
    public void Request(IPAddress address) => Request(address, sendNowIfIdle: true);

    /// <summary>
    /// Opens or extends the window without an immediate round, for callers that have just sent one themselves
    /// (a new interface announcing what it carries).
    /// </summary>
    public void Extend(IPAddress address) => Request(address, sendNowIfIdle: false);

    private void Request(IPAddress address, bool sendNowIfIdle)
    {
        bool sendNow;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            sendNow = sendNowIfIdle && !_deadlines.ContainsKey(address);
            _deadlines[address] = _time.GetUtcNow() + _window;
            _ticker ??= _time.CreateTimer(_ => Tick(), null, _period, _period);
        }

        if (sendNow)
        {
            SendIfOwned(address);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _deadlines.Clear();
            _ticker?.Dispose();
            _ticker = null;
        }

        _refreshTimer?.Dispose();
    }

    private void Tick()
    {
        List<IPAddress> due;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            due = [];
            foreach (var (address, deadline) in _deadlines.ToList())
            {
                if (deadline <= now || !_isOwned(address))
                {
                    _deadlines.Remove(address);
                }
                else
                {
                    due.Add(address);
                }
            }

            if (_deadlines.Count == 0)
            {
                _ticker?.Dispose();
                _ticker = null;
            }
        }

        foreach (var address in due)
        {
            SendIfOwned(address);
        }
    }

    private void Refresh()
    {
        foreach (var address in _owned())
        {
            SendIfOwned(address);
        }
    }

    private void SendIfOwned(IPAddress address)
    {
        if (_isOwned(address))
        {
            _sendRound(address);
        }
    }
}
