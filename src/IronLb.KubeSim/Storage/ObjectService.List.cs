using IronLb.KubeSim.Http;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Selectors;

namespace IronLb.KubeSim.Storage;

/// <summary>
/// LIST, whole or in pages (<c>limit</c>/<c>continue</c>, as client-go's reflector reads big collections). Every page of
/// one list shows the collection as it was at the first page's resourceVersion, as etcd's MVCC read gives the real
/// server: later pages start from today's objects and undo, newest first, every write since then from the event
/// ring. When the ring no longer reaches back that far, the token has expired: 410, as after etcd's compaction.
/// </summary>
internal sealed partial class ObjectService
{
    public ListPage List(
        ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string? resourceVersion, string? match,
        long limit = 0, string? continueToken = null)
    {
        if (match == "Exact" && long.TryParse(resourceVersion, out var exact) && exact < Store.OldestWatchableVersion)
        {
            throw ApiException.Expired($"The resourceVersion for the provided list is too old.");
        }

        var resuming = !string.IsNullOrEmpty(continueToken);
        if (resuming && !string.IsNullOrEmpty(resourceVersion) && resourceVersion != "0")
        {
            throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
        }

        var (from, after) = resuming ? ContinueToken.Decode(continueToken!) : (0L, (string?)null);
        return Store.Read(tx =>
        {
            var at = resuming ? from : tx.ResourceVersion;
            if (at > tx.ResourceVersion)
            {
                throw ApiException.BadRequest("continue key is not valid: it names a resourceVersion the server has not reached");
            }

            if (at < Store.OldestWatchableVersion)
            {
                throw ApiException.Expired(
                    "The provided continue parameter is too old to display a consistent list result: start a new list without it.");
            }

            var source = fields.PinnedName is { } pinned && ns is not null
                ? tx.Get(type.StorageKey, ns, pinned) is { } one ? [one] : []
                : tx.List(type.StorageKey, ns);
            var snapshot = AsOf(source, type.StorageKey, ns, after, at, tx.ResourceVersion);
            var items = new List<StoredObject>();
            string? next = null;
            long? remaining = null;
            foreach (var item in snapshot)
            {
                if (!labels.Matches(item.Labels) || (!fields.IsEmpty && !fields.Matches(Present(type, item))))
                {
                    continue;
                }

                if (limit > 0 && items.Count == limit)
                {
                    next = ContinueToken.Encode(at, items[^1].Key);

                    // As the real server, a count only when no selector made it a guess.
                    remaining = labels.IsEmpty && fields.IsEmpty ? snapshot.Count(o => string.CompareOrdinal(o.Key, items[^1].Key) > 0) : null;
                    break;
                }

                items.Add(item);
            }

            return new ListPage(items, at, next, remaining);
        });
    }

    /// <summary>The collection's objects after <paramref name="after"/> in key order, as they stood at <paramref name="at"/>.</summary>
    private IEnumerable<StoredObject> AsOf(IEnumerable<StoredObject> current, string storageKey, string? ns, string? after, long at, long now)
    {
        if (after is null && at == now)
        {
            return current;
        }

        var view = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var item in current)
        {
            if (after is null || string.CompareOrdinal(item.Key, after) > 0)
            {
                view[item.Key] = item;
            }
        }

        for (var rv = now; rv > at; rv--)
        {
            var change = Store.EventAt(rv) ?? throw ApiException.Expired(
                "The provided continue parameter is too old to display a consistent list result: start a new list without it.");
            var obj = change.Object;
            if (change.StorageKey != storageKey || (!string.IsNullOrEmpty(ns) && obj.Namespace != ns)
                || (after is not null && string.CompareOrdinal(obj.Key, after) <= 0))
            {
                continue;
            }

            if (change.Previous is { } before)
            {
                view[before.Key] = before;
            }
            else
            {
                view.Remove(obj.Key);
            }
        }

        return view.Values;
    }
}
