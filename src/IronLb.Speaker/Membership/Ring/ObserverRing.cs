namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// Who watches whom: member X's observers are the K/2 members before it and the K/2 after it on the ring,
/// skipping members that are out of the ring (removed by a verdict). The relation is symmetric, so one heartbeat
/// stream per pair serves both directions. With fewer than K + 1 members in the ring every other member observes.
/// </summary>
internal static class ObserverRing
{
    /// <summary>The observers of <paramref name="subject"/> (member indices), the ones after it first, then the ones before it.</summary>
    public static List<int> ObserversOf(MemberTable table, int subject, Func<int, bool> inRing, int observers)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(inRing);
        var count = table.Count;
        var others = 0;
        for (var i = 0; i < count && others <= observers; i++)
        {
            if (i != subject && inRing(i))
            {
                others++;
            }
        }

        var result = new List<int>(observers);
        if (others <= observers)
        {
            // A small ring: everybody observes everybody, still nearest first.
            Walk(table, subject, inRing, +1, others, result);
            return result;
        }

        // More than K others: the K/2 nearest after and the K/2 nearest before cannot overlap.
        Walk(table, subject, inRing, +1, observers / 2, result);
        Walk(table, subject, inRing, -1, observers / 2, result);
        return result;
    }

    private static void Walk(MemberTable table, int subject, Func<int, bool> inRing, int direction, int take, List<int> into)
    {
        var count = table.Count;
        var position = table.RingPositionOf(subject);
        for (var taken = 0; taken < take;)
        {
            position = (position + direction + count) % count;
            var member = table.RingOrder[position];
            if (member == subject)
            {
                return;
            }

            if (inRing(member))
            {
                into.Add(member);
                taken++;
            }
        }
    }

    /// <summary>
    /// The target of a node's <paramref name="push"/>-th round push: the first member in the ring at or after the
    /// position 2^(push mod ⌈log2 N⌉) ahead of <paramref name="self"/>, skipping members out of the ring. Cycling
    /// through these fingers every node receives one push per period from a predecessor at some distance, instead of a
    /// Poisson number of them: with random targets a node of 500 went 15 periods without a push now and then (e^-1 per
    /// period of getting none), missed a whole round's majority and lost its round lease (issue #21). An OR over the
    /// fingers also reaches every member in ⌈log2 N⌉ hops. -1 when nobody else is in the ring.
    /// </summary>
    public static int FingerTarget(MemberTable table, int self, long push, Func<int, bool> inRing)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(inRing);
        var count = table.Count;
        if (count <= 1)
        {
            return -1;
        }

        var fingers = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(count - 1));
        var offset = 1 << (int)(push % Math.Max(1, fingers));
        var start = table.RingPositionOf(self);
        for (var step = 0; step < count - 1; step++)
        {
            var member = table.RingOrder[(start + offset + step) % count];
            if (member != self && inRing(member))
            {
                return member;
            }
        }

        return -1;
    }

    /// <summary>
    /// Observations a verdict needs: H, or every other member in a table too small for H. It depends on the member
    /// table only, never on which members a node's book has removed, so two nodes whose books differ for a moment
    /// still agree on it (with a view-dependent quorum, one view could remove a node on two observations while the
    /// node's own view counted a third observer for its fence).
    /// </summary>
    public static int Quorum(int members, int verdictQuorum) => Math.Max(1, Math.Min(verdictQuorum, members - 1));

    /// <summary>Fresh echoes a node needs to answer: K' − quorum + 1 of its current K' observers, at least one, so that a verdict (quorum observers not hearing it) and an unfenced node cannot coexist.</summary>
    public static int FenceNeed(int observerCount, int quorum) => Math.Max(1, observerCount - quorum + 1);
}
