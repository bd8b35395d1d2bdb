namespace IronLb.Kubernetes.Client;

/// <summary>
/// One request's cancellation: the caller's token, an optional second one (a leadership term), and a timer on
/// the connection's TimeProvider that can be pushed back (a watch's idle timeout restarts on every line).
/// <see cref="Expired"/> tells a timeout from the caller's own cancellation.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly ITimer _timer;
    private volatile bool _expired;

    public RequestDeadline(TimeProvider time, TimeSpan timeout, CancellationToken caller, CancellationToken other)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller, other);
        _timer = time.CreateTimer(static state => ((RequestDeadline)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True once the timer fired (whether or not the request had finished by then).</summary>
    public bool Expired => _expired;

    /// <summary>Gives the request <paramref name="timeout"/> from now.</summary>
    public void Restart(TimeSpan timeout) => _timer.Change(timeout, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _timer.Dispose();
        _source.Dispose();
    }

    private void Expire()
    {
        _expired = true;
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request ended as the timer fired.
        }
    }
}
