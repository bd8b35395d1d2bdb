namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// The observations an observer holds about its neighbours: the latest opinion of each observer on each subject,
/// with the time it was received (our monotonic clock). Observers repeat their opinion every period, so an entry
/// older than the heard window has been withdrawn. A verdict forms when a quorum of the subject's current
/// observers hold the same fresh opinion on the same incarnation (and generation, for alive).
/// </summary>
internal sealed class ObservationTally
{
    private readonly Dictionary<(ulong Subject, ulong Observer), (Observation Item, TimeSpan At)> _entries = [];

    public int Count => _entries.Count;

    public void Record(ulong observer, Observation observation, TimeSpan at) =>
        _entries[(observation.Subject, observer)] = (observation, at);

    public void Withdraw(ulong subject, ulong observer) => _entries.Remove((subject, observer));

    /// <summary>The verdict a quorum of <paramref name="observers"/> (ids) supports on <paramref name="subject"/>, if any.</summary>
    public Verdict? TryVerdict(ulong subject, IReadOnlyList<ulong> observers, int quorum, TimeSpan now, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(observers);
        if (quorum < 1)
        {
            return null;
        }

        var fresh = new List<(ulong Observer, Observation Item)>(observers.Count);
        foreach (var observer in observers)
        {
            if (_entries.TryGetValue((subject, observer), out var entry) && now - entry.At < window)
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

    /// <summary>Drops entries older than <paramref name="window"/>, so the tally stays the size of the live disagreements.</summary>
    public void Expire(TimeSpan now, TimeSpan window)
    {
        foreach (var key in _entries.Where(e => now - e.Value.At >= window).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }
}
