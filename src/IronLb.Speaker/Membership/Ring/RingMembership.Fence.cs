namespace IronLb.Speaker.Membership.Ring;

/// <summary>The fence: until when this node may answer, and what it does when its observer fence has lapsed.</summary>
internal sealed partial class RingMembership
{
    /// <summary>How many times the observer fence lapsed long enough for a verdict to be possible (each time a new incarnation).</summary>
    public long FenceLapses { get; private set; }

    private bool _fenceHeld;

    private TimeSpan? DeadlineElapsed()
    {
        if (!_started || _left || !_eligible || !_joined || _selfIndex < 0 || _rounds is null)
        {
            return null;
        }

        var tickBound = _lastTick + _options.FenceWindow;
        var deadline = LastStanding ? tickBound : Min(Min(ObserverFenceUntil(Now), _rounds.LeaseUntil), tickBound);
        return deadline > TimeSpan.Zero ? deadline : null;
    }

    /// <summary>
    /// Every other member's latest incarnation has left with its own goodbye, and none of them has been heard from in a
    /// later one. The fence and the round lease cannot hold then (no observer is left, and one member of two or more is
    /// never a majority), yet nobody can dispute this node: a leaver withdrew before saying goodbye and never answers
    /// again in that incarnation, and a restarted leaver must join, which needs this node's ack. Its first authenticated
    /// datagram ends this (the replay window takes its incarnation before anything else), so this node stops answering
    /// before it could ack, and from then on the ordinary rules decide. Without this rule a two-node cluster answered
    /// nothing at all after one node's clean stop (found by SpeakerEgressTests under load). Not covered: a heartbeat cut
    /// between this node and leavers that come back while a majority of the table, who can then end this node without
    /// hearing it (docs/membership.md, "The last member standing").
    /// </summary>
    public bool LastStanding
    {
        get
        {
            if (_table.Count < 2 || _selfIndex < 0)
            {
                return false;
            }

            // Hot path (the simulation asks every node on every step): in a healthy ring the first other member ends it.
            for (var member = 0; member < _table.Count; member++)
            {
                if (member != _selfIndex && (_book[member] is not { Kind: VerdictKind.Left } left || _peers[member].Replay.Incarnation > left.Incarnation))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Until when the observer fence holds: the need-th freshest echo + W_f (fewer fresh echoes than that and a verdict
    /// may form), over our observers in the verdict ring, the ones a verdict on us would be witnessed by. Observers the
    /// ring shifted onto us lately count as silent (a node cut off with them may still be watched by the old ones), and
    /// so do rejoiners within the rejoin hold (a node that has not applied their alive verdict yet still counts the
    /// members they displaced). TimeSpan.MinValue when there are too few observers to answer at all.
    /// (Hot path: the simulation asks every node on every step, hence no LINQ.)
    /// </summary>
    private TimeSpan ObserverFenceUntil(TimeSpan now)
    {
        var observers = _fenceObservers;
        var need = ObserverRing.FenceNeed(observers.Count, ObserverRing.Quorum(_table.Count, _options.VerdictQuorum));
        if (observers.Count == 0 || need > observers.Count)
        {
            return TimeSpan.MinValue;
        }

        Span<TimeSpan> echoes = stackalloc TimeSpan[observers.Count];
        for (var i = 0; i < echoes.Length; i++)
        {
            var peer = _peers[observers[i]];
            var silent = (peer.ShiftedIn && now - peer.NeighbourSince < _options.CorrelatedDelay)
                || peer.NeighbourSince == TimeSpan.MaxValue
                || now - peer.EstablishedAt < RejoinHold;
            echoes[i] = silent ? RingPeer.Never : peer.FenceEchoAt;
        }

        echoes.Sort((a, b) => b.CompareTo(a));
        return echoes[need - 1] + _options.FenceWindow;
    }

    /// <summary>
    /// A verdict on us needs H observers with a down each, and each down waits W_f + margin after the observer's last
    /// "I hear you", so it comes at least the margin after our fence lapsed. Coming back from a longer lapse as the same
    /// incarnation could meet a verdict formed meanwhile by observers we no longer count (they were cut off with us and
    /// the ring has shifted; the verdict reaches the others after a heal while we answer again). So a joined node whose
    /// fence lapsed for longer than the margin assumes it was removed and comes back as a new incarnation: it rejoins,
    /// and any verdict on the old one is harmless. Under 5% loss the fence does not lapse (issue #21), so this costs
    /// nothing in steady state.
    /// </summary>
    private void CheckFenceLapse(TimeSpan now)
    {
        if (!_joined || _left || _fenceObservers.Count == 0)
        {
            _fenceHeld = false;
            return;
        }

        // Only a lapse of a fence we held counts: right after a join the echoes may still be building up.
        var until = ObserverFenceUntil(now);
        if (until > now)
        {
            _fenceHeld = true;
        }
        else if (_fenceHeld && until != TimeSpan.MinValue && now - until >= _options.FenceMargin)
        {
            _fenceHeld = false;
            FenceLapses++;
            Incarnation++;
            IncarnationCause = RingIncarnationCause.FenceLapsed;
            _observingSince = now;
            ResetJoin();
        }
    }
}
