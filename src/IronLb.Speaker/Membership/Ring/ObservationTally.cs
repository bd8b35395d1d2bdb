namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// The observations an observer holds about its neighbours: the latest opinion of each observer on each subject,
/// with the time it was received (our monotonic clock). Observers repeat their opinion every period, so an entry
/// older than the heard window has been withdrawn. A verdict forms when a quorum of the subject's current
/// observers hold the same fresh opinion on the same incarnation (and generation, for alive).
/// </summary>
internal sealed class ObservationTally
{
    private readonly Dictionary<(ulong Subject, ulong Observer), (Observation Item, TimeSpan At, TimeSpan Since)> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Records the observer's latest opinion; an unchanged opinion keeps the time it was first held.</summary>
    public void Record(ulong observer, Observation observation, TimeSpan at)
    {
        var key = (observation.Subject, observer);
        var since = _entries.TryGetValue(key, out var held) && held.Item == observation ? held.Since : at;
        _entries[key] = (observation, at, since);
    }

    public void Withdraw(ulong subject, ulong observer) => _entries.Remove((subject, observer));

    /// <summary>
    /// The verdict a quorum of <paramref name="observers"/> (ids) supports on <paramref name="subject"/>, if any: a death
    /// from their downs when <paramref name="downs"/>, else an alive verdict from their ups.
    /// </summary>
    public Verdict? TryVerdict(ulong subject, IReadOnlyList<ulong> observers, int quorum, TimeSpan now, TimeSpan window, bool downs)
    {
        ArgumentNullException.ThrowIfNull(observers);
        if (quorum < 1)
        {
            return null;
        }

        var fresh = new List<(ulong Observer, Observation Item)>(observers.Count);
        foreach (var observer in observers)
        {
            if (_entries.TryGetValue((subject, observer), out var entry) && now - entry.At < window && (entry.Item.Opinion == Opinion.Down) == downs)
            {
                fresh.Add((observer, entry.Item));
            }
        }

        foreach (var group in fresh.GroupBy(f => (f.Item.Incarnation, f.Item.Opinion, Generation: f.Item.Opinion == Opinion.Down ? 0 : f.Item.Generation)))
        {
            var witnesses = group.Select(g => g.Observer).Order().ToList();
            if (witnesses.Count < quorum)
            {
                continue;
            }

            var (incarnation, opinion, generation) = group.Key;
            return opinion == Opinion.Down
                ? new Verdict(subject, incarnation, uint.MaxValue, VerdictKind.Dead, false, [.. witnesses])
                : new Verdict(subject, incarnation, generation, VerdictKind.Alive, opinion == Opinion.UpEligible, [.. witnesses]);
        }

        return null;
    }

    /// <summary>
    /// The correlated-failure verdict (docs/design/membership-v2.md, "Correlated failures"): a Dead verdict on
    /// <paramref name="subject"/> supported by fresh down observations held without a break for at least
    /// <paramref name="held"/>, plus observers that sent nothing on the subject and that <paramref name="isSilent"/>
    /// says are gone (absent from the majority rounds), together at least <paramref name="quorum"/>. At least one real
    /// down is needed, all on one incarnation. The caller adds the delays and checks that keep it safe.
    /// </summary>
    public Verdict? TryCorrelatedVerdict(ulong subject, IReadOnlyList<ulong> observers, int quorum, TimeSpan now, TimeSpan window, TimeSpan held, Func<ulong, bool> isSilent)
    {
        ArgumentNullException.ThrowIfNull(observers);
        ArgumentNullException.ThrowIfNull(isSilent);
        var downs = new List<ulong>();
        var silent = new List<ulong>();
        ulong? incarnation = null;
        foreach (var observer in observers)
        {
            if (_entries.TryGetValue((subject, observer), out var entry) && now - entry.At < window)
            {
                // A fresh opinion means the observer is alive: it counts only as a down held long enough.
                if (entry.Item.Opinion != Opinion.Down || now - entry.Since < held || (incarnation is { } i && i != entry.Item.Incarnation))
                {
                    return null;
                }

                incarnation = entry.Item.Incarnation;
                downs.Add(observer);
            }
            else if (isSilent(observer))
            {
                silent.Add(observer);
            }
        }

        if (incarnation is not { } ended || downs.Count + silent.Count < Math.Max(1, quorum))
        {
            return null;
        }

        return new Verdict(subject, ended, uint.MaxValue, VerdictKind.Dead, false, [.. downs.Concat(silent).Order()]);
    }

    /// <summary>Drops entries older than <paramref name="window"/>, so the tally stays the size of the live disagreements.</summary>
    public void Expire(TimeSpan now, TimeSpan window)
    {
        foreach (var key in _entries.Where(e => now - e.Value.At >= window).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }
}
