namespace IronLb.KubeSim.Storage;

internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>One entry of the global event log. <see cref="Previous"/> is the state before a change, so a watcher
/// with a selector can tell an object that stopped matching (DELETED to it) from one that started (ADDED).</summary>
internal sealed record WatchEvent(long ResourceVersion, WatchEventType Type, string StorageKey, StoredObject Object, StoredObject? Previous);
