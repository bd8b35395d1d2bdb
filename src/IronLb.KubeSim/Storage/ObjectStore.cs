namespace IronLb.KubeSim.Storage;

/// <summary>The whole cluster state: one global resourceVersion counter, the objects of every resource, and a
/// bounded ring of events in which event <c>N</c> is the write that produced resourceVersion <c>N</c>.
/// Writers serialise on one lock (assigning the version and appending to the log under the same lock is what
/// makes list-then-watch gap-free); watchers read the ring without locking, so a slow watcher never blocks a
/// writer: it falls behind, its events are overwritten, and it is told 410 Expired.</summary>
internal sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, StoredObject>> _collections = new(StringComparer.Ordinal);
    private readonly WatchEvent?[] _ring;
    private long _published;
    private long _first;
    private TaskCompletionSource _changed = NewSignal();

    public ObjectStore(int historyLimit, long initialResourceVersion = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 16);
        _ring = new WatchEvent?[historyLimit];
        _published = initialResourceVersion;
        _first = initialResourceVersion + 1;
    }

    public long CurrentResourceVersion => Volatile.Read(ref _published);

    /// <summary>The oldest resourceVersion a watch can still start from (it then sees every event after it).</summary>
    public long OldestWatchableVersion
    {
        get
        {
            var published = CurrentResourceVersion;
            return Math.Max(Volatile.Read(ref _first), published - _ring.Length + 1) - 1;
        }
    }

    /// <summary>Completes at the next write; take it before checking <see cref="CurrentResourceVersion"/>.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Runs a read-modify-write under the global lock, then wakes the watchers.</summary>
    public T Write<T>(Func<Transaction, T> action)
    {
        long before;
        T result;
        lock (_gate)
        {
            before = _published;
            result = action(new Transaction(this));
        }
        if (CurrentResourceVersion != before)
        {
            Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        }
        return result;
    }

    /// <summary>A consistent read: objects plus the resourceVersion they are current at.</summary>
    public T Read<T>(Func<Transaction, T> action)
    {
        lock (_gate)
        {
            return action(new Transaction(this));
        }
    }

    /// <summary>The event for one resourceVersion, or null if it has been overwritten (or not happened yet).</summary>
    public WatchEvent? EventAt(long resourceVersion)
    {
        var evt = Volatile.Read(ref _ring[resourceVersion % _ring.Length]);
        return evt is not null && evt.ResourceVersion == resourceVersion ? evt : null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Access to the state, valid only inside <see cref="Write{T}"/> or <see cref="Read{T}"/>.</summary>
    internal readonly struct Transaction
    {
        private readonly ObjectStore _store;

        public Transaction(ObjectStore store) => _store = store;

        public long ResourceVersion => _store._published;

        public StoredObject? Get(string storageKey, string ns, string name) =>
            _store._collections.TryGetValue(storageKey, out var c) && c.TryGetValue(StoredObject.KeyOf(ns, name), out var o) ? o : null;

        public IEnumerable<StoredObject> List(string storageKey, string? ns)
        {
            if (!_store._collections.TryGetValue(storageKey, out var c))
            {
                return [];
            }
            return ns is null or "" ? c.Values : c.Values.Where(o => o.Namespace == ns);
        }

        public int Count(string storageKey) => _store._collections.TryGetValue(storageKey, out var c) ? c.Count : 0;

        /// <summary>The next resourceVersion, to stamp into an object before <see cref="Commit"/>.</summary>
        public long NextVersion => _store._published + 1;

        /// <summary>Stores <paramref name="obj"/> (already stamped with <see cref="NextVersion"/>) and logs the event.</summary>
        public StoredObject Commit(string storageKey, WatchEventType type, StoredObject obj, StoredObject? previous)
        {
            var rv = NextVersion;
            if (obj.ResourceVersion != rv)
            {
                throw new InvalidOperationException("the object is not stamped with the next resourceVersion");
            }
            if (!_store._collections.TryGetValue(storageKey, out var collection))
            {
                collection = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
                _store._collections[storageKey] = collection;
            }
            if (type == WatchEventType.Deleted)
            {
                collection.Remove(obj.Key);
            }
            else
            {
                collection[obj.Key] = obj;
            }
            Volatile.Write(ref _store._ring[rv % _store._ring.Length], new WatchEvent(rv, type, storageKey, obj, previous));
            Volatile.Write(ref _store._published, rv);
            return obj;
        }
    }
}
