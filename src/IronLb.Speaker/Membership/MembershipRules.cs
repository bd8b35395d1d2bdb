using System.Collections.Frozen;
using System.Collections.Immutable;

namespace IronLb.Speaker.Membership;

/// <summary>
/// The decision, separate from message handling so it reads as the rules in docs/membership.md:
/// heard peers are live; an unheard peer is dead only when a strict majority of the fresh reporters
/// (us included) do not hear it; we drop ourselves when a majority of them do not hear us; without a
/// quorum of the known speakers, Kubernetes readiness decides for everyone we cannot confirm. Eligibility
/// is applied last: an ineligible speaker counts for quorum like any other and only leaves the live set
/// (the election's input) with reason NotEligible.
/// </summary>
internal static class MembershipRules
{
    /// <summary>
    /// Peers heard inside the window that have run for a full window themselves. Their reports count,
    /// and they are what we report: a peer that just (re)started is neither trusted nor announced until
    /// its own view has matured, so it and everybody else add it at about the same moment.
    /// </summary>
    public static IEnumerable<string> Witnesses(TimeSpan now, MembershipOptions options, IReadOnlyDictionary<string, PeerState> states)
    {
        var windowMs = (long)options.HeardWindow.TotalMilliseconds;
        return states.Where(s => !s.Value.Left && now - s.Value.LastHeard < options.HeardWindow && s.Value.SenderUptimeMs >= windowMs)
            .Select(s => s.Key);
    }

    /// <summary>The view, reusing <paramref name="current"/> when nothing changed: this runs on every tick.</summary>
    public static MembershipView Decide(
        string self,
        bool selfEligible,
        TimeSpan now,
        MembershipOptions options,
        FrozenSet<string> peers,
        IReadOnlyDictionary<string, PeerState> states,
        FrozenSet<string>? ready,
        DeadBook dead,
        MembershipView current)
    {
        var witnesses = Witnesses(now, options, states).ToList();
        var witnessSet = new HashSet<string>(witnesses, StringComparer.Ordinal);
        var live = new HashSet<string>(StringComparer.Ordinal);
        var excluded = new Dictionary<string, ExclusionReason>(StringComparer.Ordinal);
        var left = new HashSet<string>(StringComparer.Ordinal);

        foreach (var peer in peers)
        {
            if (states.TryGetValue(peer, out var state) && state.Left)
            {
                left.Add(peer);
                excluded[peer] = ExclusionReason.Left;
            }
            else if (witnessSet.Contains(peer) || !MajorityMissing(peer, witnesses, states, countSelf: true))
            {
                live.Add(peer);
            }
            else
            {
                excluded[peer] = ExclusionReason.NotHeardByMajority;
            }
        }

        var warming = now < options.HeardWindow;
        var selfUnheard = witnesses.Count > 0 && MajorityMissing(self, witnesses, states, countSelf: false);
        if (!warming && !selfUnheard)
        {
            live.Add(self);
        }

        // Quorum over the speakers that may still exist: those who said goodbye, and those nobody hears
        // that Kubernetes no longer reports Ready, are gone. A warming-up self is present, just not announcing.
        bool IsReady(string node) => ready is null || ready.Contains(node);
        // A node a quorum already dropped stays out of the count (until it is heard again), so a second
        // crash after a first one is still decided by heartbeats: 4 nodes lose two, one after the other, fast.
        dead.Forget(live);
        var confirmedDead = dead.Confirmed;
        var known = 1 + peers.Count(p => !left.Contains(p) && !confirmedDead.Contains(p) && (live.Contains(p) || IsReady(p)));
        var present = live.Count + (warming || selfUnheard ? 1 : 0);
        if (present * 2 > known)
        {
            if (warming)
            {
                excluded[self] = ExclusionReason.WarmingUp;
            }
            else if (selfUnheard)
            {
                excluded[self] = ExclusionReason.NotHeardByMajority;
            }

            dead.Observe(now, options.DetectionTime, excluded.Where(e => e.Value == ExclusionReason.NotHeardByMajority && !string.Equals(e.Key, self, StringComparison.Ordinal)).Select(e => e.Key));
            LeaveOutIneligible(self, selfEligible, states, live, excluded);
            return Reuse(current, live, excluded, MembershipMode.Quorum);
        }

        dead.QuorumLost();

        // No quorum: isolated, a minority side, or an even split. Every speaker without a quorum then elects
        // over the same Ready set, so each address keeps its pre-partition owner instead of being grabbed.
        foreach (var node in peers.Where(p => !left.Contains(p) && !live.Contains(p)).Append(self))
        {
            if (string.Equals(node, self, StringComparison.Ordinal) && warming)
            {
                excluded[self] = ExclusionReason.WarmingUp;
            }
            else if (confirmedDead.Contains(node))
            {
                // Dropped by a quorum earlier: readiness does not bring a dead node back.
                excluded[node] = ExclusionReason.NotHeardByMajority;
            }
            else if (IsReady(node))
            {
                live.Add(node);
                excluded.Remove(node);
            }
            else
            {
                excluded[node] = ExclusionReason.NotReady;
            }
        }

        LeaveOutIneligible(self, selfEligible, states, live, excluded);
        return Reuse(current, live, excluded, MembershipMode.ReadinessFallback);
    }

    /// <summary>
    /// Moves the live speakers that may not be elected out of the live set, after quorum was counted. A peer's
    /// eligibility is the one in its last heartbeat (so a peer kept by readiness keeps what it last said);
    /// a peer never heard from is eligible, as a speaker older than the flag is.
    /// </summary>
    private static void LeaveOutIneligible(string self, bool selfEligible, IReadOnlyDictionary<string, PeerState> states, HashSet<string> live, Dictionary<string, ExclusionReason> excluded)
    {
        live.RemoveWhere(node =>
        {
            var eligible = string.Equals(node, self, StringComparison.Ordinal) ? selfEligible : !states.TryGetValue(node, out var state) || state.Eligible;
            if (!eligible)
            {
                excluded[node] = ExclusionReason.NotEligible;
            }

            return !eligible;
        });
    }

    private static MembershipView Reuse(MembershipView current, HashSet<string> live, Dictionary<string, ExclusionReason> excluded, MembershipMode mode)
    {
        var same = current.Mode == mode
            && current.Live.Count == live.Count && live.All(current.Live.Contains)
            && current.Excluded.Count == excluded.Count && excluded.All(e => current.Excluded.TryGetValue(e.Key, out var r) && r == e.Value);
        return same
            ? current
            : new MembershipView(live.ToImmutableSortedSet(StringComparer.Ordinal), excluded.ToImmutableSortedDictionary(StringComparer.Ordinal), mode);
    }

    /// <summary>Whether a strict majority of the reporters do not hear the node (a tie keeps it).</summary>
    private static bool MajorityMissing(string node, List<string> witnesses, IReadOnlyDictionary<string, PeerState> states, bool countSelf)
    {
        var total = countSelf ? 1 : 0;
        var missing = total; // we do not hear it ourselves, or we would not be asking
        foreach (var witness in witnesses)
        {
            if (string.Equals(witness, node, StringComparison.Ordinal))
            {
                continue;
            }

            total++;
            if (!states[witness].Hears.Contains(node))
            {
                missing++;
            }
        }

        return missing * 2 > total;
    }
}
