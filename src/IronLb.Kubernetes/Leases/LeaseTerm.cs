using IronLb.Kubernetes.Client;

namespace IronLb.Kubernetes.Leases;

/// <summary>
/// One term of leadership, and the fence its writes pass (<see cref="KubeConnection.Fenced"/>). It is valid until
/// (send time of the last successful renewal) + renew deadline on the monotonic clock, whatever the network does
/// meanwhile; at that instant a timer cancels <see cref="Token"/>, and with it every write in flight.
/// </summary>
public sealed class LeaseTerm : IWriteFence, IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _renewDeadlineTicks;
    private readonly CancellationTokenSource _source;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private long _validUntil;

    internal LeaseTerm(TimeProvider time, TimeSpan renewDeadline, TimeSpan writeTimeout, long sentAt, CancellationToken shutdown)
    {
        _time = time;
        _renewDeadlineTicks = (long)(renewDeadline.TotalSeconds * time.TimestampFrequency);
        _validUntil = sentAt + _renewDeadlineTicks;
        WriteTimeout = writeTimeout;
        _source = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _timer = time.CreateTimer(static state => ((LeaseTerm)state!).Check(), this, Remaining, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled when the term ends: validity ran out, the elector stopped, or the host shuts down.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>) the term ends at unless renewed.</summary>
    public long ValidUntil => Interlocked.Read(ref _validUntil);

    /// <summary>How long the term has left; zero once over.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var now = _time.GetTimestamp();
            var until = ValidUntil;
            return until <= now || _source.IsCancellationRequested ? TimeSpan.Zero : _time.GetElapsedTime(now, until);
        }
    }

    public bool IsValid => Remaining > TimeSpan.Zero;

    /// <summary>Each fenced write's own timeout (the term's end cuts it shorter).</summary>
    public TimeSpan WriteTimeout { get; }

    public CancellationToken Enter()
    {
        if (!IsValid)
        {
            End();
            throw new LeadershipLostException("not sent: the leadership term has ended", Token);
        }

        return Token;
    }

    /// <summary>A renewal sent at <paramref name="sentAt"/> succeeded: the term runs until then + renew deadline.</summary>
    internal void Extend(long sentAt)
    {
        lock (_gate)
        {
            if (_source.IsCancellationRequested)
            {
                return;
            }

            var until = sentAt + _renewDeadlineTicks;
            if (until > _validUntil)
            {
                Interlocked.Exchange(ref _validUntil, until);
                _timer.Change(Remaining, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Ends the term now (idempotent).</summary>
    internal void End()
    {
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        End();
        _source.Dispose();
    }

    private void Check()
    {
        lock (_gate)
        {
            var left = Remaining;
            if (left > TimeSpan.Zero)
            {
                // Extended after this timer was set.
                _timer.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        End();
    }
}
