namespace IronLb.Monitoring.Http;

/// <summary>
/// The open connections that are idle on the server's side: waiting for their request head, or lingering after
/// their answer. When every slot is taken, the one idle longest is closed for the newcomer. A client that has sent
/// nothing for longest is the least likely to be a probe (the kubelet and Prometheus send their head at once), so a
/// flood of silent connections cannot hold /healthz shut until the kubelet restarts the speaker; it only closes its
/// own connections sooner.
/// </summary>
internal sealed class IdleConnections
{
    private readonly LinkedList<IdleConnection> _idle = [];
    private readonly Lock _gate = new();

    /// <summary>From now on <paramref name="connection"/> may be evicted (newest last).</summary>
    public void Enter(IdleConnection connection)
    {
        lock (_gate)
        {
            if (!connection.Evicted && connection.Node.List is null)
            {
                _idle.AddLast(connection.Node);
            }
        }
    }

    /// <summary>No longer evictable; false when it was evicted first (it must then stop).</summary>
    public bool Leave(IdleConnection connection)
    {
        lock (_gate)
        {
            if (connection.Node.List is not null)
            {
                _idle.Remove(connection.Node);
            }

            return !connection.Evicted;
        }
    }

    /// <summary>Closes the connection idle longest; false when none is idle (every one is being answered).</summary>
    public bool EvictOldest()
    {
        IdleConnection? oldest;
        lock (_gate)
        {
            oldest = _idle.First?.Value;
            if (oldest is null)
            {
                return false;
            }

            _idle.RemoveFirst();
            oldest.Evicted = true;
        }

        oldest.Cancel();
        return true;
    }
}

/// <summary>One connection as <see cref="IdleConnections"/> tracks it: its deadline, which eviction brings forward to now.</summary>
internal sealed class IdleConnection
{
    private readonly CancellationTokenSource _deadline;

    public IdleConnection(CancellationTokenSource deadline)
    {
        _deadline = deadline;
        Node = new LinkedListNode<IdleConnection>(this);
    }

    /// <summary>Set under <see cref="IdleConnections"/>' lock, read by the connection when its operations end.</summary>
    public bool Evicted { get; set; }

    internal LinkedListNode<IdleConnection> Node { get; }

    internal void Cancel()
    {
        try
        {
            _deadline.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection ended between being picked and being cancelled: its slot is free anyway.
        }
    }
}
