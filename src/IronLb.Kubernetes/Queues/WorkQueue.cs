namespace IronLb.Kubernetes.Queues;

/// <summary>
/// A keyed work queue in the manner of client-go's workqueue: a key waiting is never queued twice, a key
/// being processed is not handed out again until Done (changes meanwhile re-queue it once), and failures
/// come back after a per-key exponential delay. One consumer loop; any number of producers.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue; client-go and YARP call it WorkQueue.")]
public sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private readonly object _gate = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, int> _failures = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private bool _shutDown;

    public WorkQueue(TimeProvider time, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        _time = time;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
        _maxDelay = maxDelay ?? TimeSpan.FromSeconds(60);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(T item)
    {
        lock (_gate)
        {
            if (_shutDown || !_dirty.Add(item))
            {
                return;
            }

            if (_processing.Contains(item))
            {
                return;
            }

            _queue.Enqueue(item);
        }

        _signal.Release();
    }

    /// <summary>Re-adds the item after its back-off delay (5 ms doubling per failure, capped).</summary>
    public void AddRateLimited(T item)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var failures = _failures.GetValueOrDefault(item);
            _failures[item] = failures + 1;
            var factor = Math.Pow(2, Math.Min(failures, 30));
            delay = TimeSpan.FromTicks((long)Math.Min(_baseDelay.Ticks * factor, _maxDelay.Ticks));
        }

        _ = AddAfterAsync(item, delay);
    }

    /// <summary>Clears the item's failure count after a success.</summary>
    public void Forget(T item)
    {
        lock (_gate)
        {
            _failures.Remove(item);
        }
    }

    public async Task<T> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    continue;
                }

                var item = _queue.Dequeue();
                _processing.Add(item);
                _dirty.Remove(item);
                return item;
            }
        }
    }

    /// <summary>Marks processing finished; an item added meanwhile goes back in the queue.</summary>
    public void Done(T item)
    {
        var requeue = false;
        lock (_gate)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !_shutDown)
            {
                _queue.Enqueue(item);
                requeue = true;
            }
        }

        if (requeue)
        {
            _signal.Release();
        }
    }

    public void ShutDown()
    {
        lock (_gate)
        {
            _shutDown = true;
        }
    }

    private async Task AddAfterAsync(T item, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time).ConfigureAwait(false);
        }
        finally
        {
            Add(item);
        }
    }

    public void Dispose() => _signal.Dispose();
}
