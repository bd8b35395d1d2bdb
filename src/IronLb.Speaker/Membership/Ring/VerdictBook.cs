namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// The latest verdict known for each member (by member index), and a digest of them that heartbeats carry so
/// neighbours notice a difference and pull. A verdict replaces the held one only when its rank is higher
/// (later incarnation, later generation, an end beats any generation), so applying is idempotent and order-free.
/// </summary>
internal sealed class VerdictBook
{
    private Verdict?[] _verdicts;

    public VerdictBook(int members) => _verdicts = new Verdict?[members];

    /// <summary>XOR of one hash per held verdict: equal books give equal digests, whatever the order they were filled in.</summary>
    public ulong Digest { get; private set; }

    /// <summary>Bumped on every change, so callers can cache what they derive from the book.</summary>
    public long Version { get; private set; }

    public Verdict? this[int index] => _verdicts[index];

    public IEnumerable<Verdict> All => _verdicts.OfType<Verdict>();

    /// <summary>True when <paramref name="verdict"/> outranks what was held and replaced it.</summary>
    public bool Apply(int index, Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var held = _verdicts[index];
        if (held is not null && held.Rank.CompareTo(verdict.Rank) > 0)
        {
            return false;
        }

        // The same verdict again replaces the held one only with more witnesses: after the member table grew, the old
        // proof may be too small for newcomers, and the re-witnessed copy is what they accept. Witnesses are not in the
        // digest, so this changes no digest.
        if (held is not null && held.Rank.CompareTo(verdict.Rank) == 0
            && (held.Kind != verdict.Kind || held.Eligible != verdict.Eligible || verdict.Witnesses.Length <= held.Witnesses.Length))
        {
            return false;
        }

        if (held is not null)
        {
            Digest ^= HashOf(held);
        }

        _verdicts[index] = verdict;
        Digest ^= HashOf(verdict);
        Version++;
        return true;
    }

    /// <summary>Whether the member's latest known incarnation has ended (Dead or Left).</summary>
    public bool HasEnded(int index, out ulong incarnation)
    {
        var held = _verdicts[index];
        incarnation = held?.Incarnation ?? 0;
        return held is not null && held.Kind != VerdictKind.Alive;
    }

    /// <summary>In the election: alive and eligible.</summary>
    public bool IsElectable(int index) => _verdicts[index] is { Kind: VerdictKind.Alive, Eligible: true };

    /// <summary>The book for a new member table; verdicts follow their subject's id.</summary>
    public void Remap(MemberTable oldTable, MemberTable newTable)
    {
        ArgumentNullException.ThrowIfNull(oldTable);
        ArgumentNullException.ThrowIfNull(newTable);
        var old = _verdicts;
        _verdicts = new Verdict?[newTable.Count];
        Digest = 0;
        for (var i = 0; i < old.Length; i++)
        {
            if (old[i] is { } verdict && newTable.TryIndexOf(oldTable.Ids[i], out var j))
            {
                _verdicts[j] = verdict;
                Digest ^= HashOf(verdict);
            }
        }

        Version++;
    }

    /// <summary>A 64-bit mix of the fields that make a verdict (witnesses left out: two valid proofs of one verdict are one verdict).</summary>
    private static ulong HashOf(Verdict verdict)
    {
        var h = verdict.Subject;
        h = Mix(h ^ verdict.Incarnation);
        h = Mix(h ^ verdict.Generation);
        h = Mix(h ^ ((ulong)verdict.Kind << 8) ^ (verdict.Eligible ? 1UL : 0UL));
        return h;
    }

    /// <summary>SplitMix64's finaliser: cheap, and good enough that two different books do not cancel out by accident.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
