namespace IronLb.Speaker.Membership.Ring;

/// <summary>The work done once per period: heartbeats, observations, the round push, join bookkeeping, gossip.</summary>
internal sealed partial class RingMembership
{
    /// <summary>
    /// One exchange per observer pair and period: the member with the smaller id sends, the other replies at once
    /// (<see cref="ReplyToHeartbeat"/>). So each side's proof is at most a period plus a round trip old, whatever
    /// the phase between their timers, and each still sends one heartbeat per observer and period.
    /// </summary>
    private void SendHeartbeats(TimeSpan now)
    {
        var fenced = Answering ? RingFlags.None : RingFlags.Fenced;
        foreach (var observer in _observers)
        {
            // Until it has joined, a node also sends to the observers that would otherwise only reply: after a removal they
            // keep it out of their rings until they hear its new incarnation, so a node that only replied would never be
            // heard again (the largest id of its observer pairs, cut for 2 s, stayed out for good).
            if (_selfId < _table.Ids[observer] || !_joined)
            {
                SendHeartbeat(observer, fenced, now);
                _peers[observer].AwaitingReplySince = now;
            }
        }
    }

    /// <summary>
    /// Asks once more, half a period on, when a request of ours has had no reply: the request or the reply was lost.
    /// Without the retry one lost request costs the responder two renewals of its fence echo (its reply to this request
    /// is what our next request would have echoed), and under 5% loss on every link that made answering pauses at
    /// 500 nodes (issue #21). Only on loss, so the steady traffic does not change. A retry is an ordinary heartbeat:
    /// echoes, "I hear you" and the hold-off follow the same rules, so the fence argument is untouched.
    /// </summary>
    private void RetryUnansweredHeartbeats(TimeSpan now)
    {
        foreach (var observer in _observers)
        {
            var peer = _peers[observer];
            if (peer.AwaitingReplySince != TimeSpan.MaxValue && now - peer.AwaitingReplySince >= _options.RetryAfter)
            {
                peer.AwaitingReplySince = TimeSpan.MaxValue;
                SendHeartbeat(observer, Answering ? RingFlags.None : RingFlags.Fenced, now);
            }
        }
    }

    private void ReplyToHeartbeat(int initiator, TimeSpan now) =>
        SendHeartbeat(initiator, Answering ? RingFlags.None : RingFlags.Fenced, now);

    private void SendHeartbeat(int observer, RingFlags fenced, TimeSpan now)
    {
        var peer = _peers[observer];
        var hearYou = peer.Replay.Incarnation != 0 && now - peer.ProofSentAt < _options.HearYouWindow;
        if (hearYou)
        {
            peer.LastHearYouSent = now;
        }

        var message = new HeartbeatMessage(
            Header(RingMessageKind.Heartbeat, fenced | (hearYou ? RingFlags.HearYou : RingFlags.None)),
            _table.Ids[observer],
            peer.Replay.Incarnation,
            peer.Replay.HighestSequence,
            _generation,
            _book.Digest);
        Send(observer, message, now);
    }

    /// <summary>
    /// Forms our own opinion on each neighbour and sends those that disagree with the book to the neighbour's other
    /// observers, repeated every period until a verdict settles them. A down opinion waits until W_f + margin after
    /// our last "I hear you" to that incarnation: by then no echo of ours counts for its fence any more.
    /// </summary>
    private void Observe(TimeSpan now)
    {
        var outgoing = new Dictionary<int, List<Observation>>();
        foreach (var subject in _observers)
        {
            var opinion = OpinionOn(subject, now);
            if (opinion is not { } observation)
            {
                _tally.Withdraw(_table.Ids[subject], _selfId);
                continue;
            }

            // A down goes to, and counts among, the subject's observers in the verdict ring; an up those in the heartbeat ring.
            var observers = observation.Opinion == Opinion.Down ? VerdictObserversOf(subject) : ObserversOf(subject);
            if (!observers.Contains(_selfIndex))
            {
                _tally.Withdraw(_table.Ids[subject], _selfId);
                continue;
            }

            _tally.Record(_selfId, observation, now);
            TryFormVerdict(subject, now);
            foreach (var other in observers)
            {
                if (other != _selfIndex)
                {
                    (outgoing.TryGetValue(other, out var list) ? list : outgoing[other] = []).Add(observation);
                }
            }
        }

        foreach (var (to, observations) in outgoing)
        {
            foreach (var chunk in observations.Chunk(RingCodec.MaxObservations))
            {
                Send(to, new ObservationMessage(Header(RingMessageKind.Observation), [.. chunk]), now);
            }
        }
    }

    /// <summary>Our opinion on a neighbour when it disagrees with the book; null when the book already says it.</summary>
    private Observation? OpinionOn(int subject, TimeSpan now)
    {
        var peer = _peers[subject];
        var held = _book[subject];
        var incarnation = Math.Max(peer.Replay.Incarnation, held?.Incarnation ?? 0);
        var subjectId = _table.Ids[subject];
        var hearing = peer.Replay.Incarnation == incarnation && incarnation != 0 && now - peer.ProofSentAt < _options.HeardWindow;
        if (hearing)
        {
            if ((peer.Flags & RingFlags.Leaving) != 0)
            {
                return null;
            }

            var eligible = (peer.Flags & RingFlags.Eligible) != 0;
            var up = new Observation(subjectId, incarnation, peer.Generation, eligible ? Opinion.UpEligible : Opinion.UpIneligible);
            // A verdict witnessed under a smaller member table (the cluster grew) is not proof to a newcomer: say it again.
            var agrees = held is { Kind: VerdictKind.Alive } && held.Incarnation == incarnation && held.Generation == peer.Generation && held.Eligible == eligible
                && IsProven(held, subject);
            var behind = held is not null && held.Rank.CompareTo((incarnation, peer.Generation)) > 0;
            return agrees || behind ? null : up;
        }

        // A neighbour the ring shifted onto us (members between were removed) may not be one the subject counts for its
        // fence: our down observation waits until the subject's round lease must have run out as well.
        // An incarnation seen less than W ago has not had the time to be heard: a down on it then, with a two-member
        // table's quorum of one, ended each new incarnation of a restarted peer the period after it came (a livelock).
        var neighbourDelay = peer.ShiftedIn ? _options.HeardWindow + _options.CorrelatedDelay : _options.HeardWindow;
        // W of observing first, since our start, our latest incarnation or our latest stall: until then a neighbour not
        // heard is one we have not given the time to answer us (a rejoiner's or a resumed node's picture is seconds old).
        var settled = now - _observingSince >= _options.HeardWindow
            && now - peer.NeighbourSince >= neighbourDelay
            && now - peer.IncarnationSeenAt >= _options.HeardWindow
            && now - peer.LastHearYouSent >= _options.AlertHoldOff;
        var ended = held is not null && held.Kind != VerdictKind.Alive && held.Incarnation >= incarnation && IsProven(held, subject);
        return settled && !ended ? new Observation(subjectId, incarnation, 0, Opinion.Down) : null;
    }

    private void TryFormVerdict(int subject, TimeSpan now)
    {
        var quorum = ObserverRing.Quorum(_table.Count, _options.VerdictQuorum);
        var subjectId = _table.Ids[subject];

        // Deaths: witnessed by the subject's observers in the verdict ring, rejoiners within their hold left out (they keep
        // their slot, so the quorum is drawn from fewer), the same observers the subject's own fence counts.
        var ids = VerdictObserversOf(subject).Where(o => Witnessing(o, now)).Select(o => _table.Ids[o]).ToList();

        // Only a round-lease holder ends an incarnation: a minority keeps forming downs on the members it lost, and once
        // its ring has shifted past them it could reach a quorum on a member the majority still counts as fenced-in and
        // answering. (Alive verdicts carry no such risk: they only start joins, which need every member's ack.)
        if (MayEnd(now) && _tally.TryVerdict(subjectId, ids, quorum, now, _options.HeardWindow, downs: true) is { } dead)
        {
            ApplyVerdict(subject, dead, now, forward: true);
        }
        else if (_tally.TryVerdict(subjectId, [.. ObserversOf(subject).Select(o => _table.Ids[o])], AliveQuorum(subject), now, _options.HeardWindow, downs: false) is { } alive)
        {
            ApplyVerdict(subject, alive, now, forward: true);
        }
        else if (CorrelatedVerdict(subject, ids, quorum, now) is { } correlated)
        {
            _correlatedVerdicts++;
            ApplyVerdict(subject, correlated, now, forward: true);
        }
    }

    /// <summary>
    /// A run of three or more failed members adjacent on the ring leaves each with at most two live observers, so the
    /// quorum rule above never removes any of them. Here observers that are gone count as witnesses: the subject's
    /// other observers that send nothing on it and whose bit has been missing from the majority rounds for a while.
    /// Safe because the subject must be gone from the rounds too, for longer than its round lease can outlive its last
    /// contact with the majority (CorrelatedDelay + a round), and the real downs must have been held as long: a member cut
    /// off together with its observers has stopped answering by then. Only a lease holder decides (a minority node sees
    /// the majority as absent), and only on an incarnation the book has not ended yet.
    /// </summary>
    private Verdict? CorrelatedVerdict(int subject, List<ulong> observers, int quorum, TimeSpan now)
    {
        var silence = _options.CorrelatedDelay + _options.Round;
        if (!MayEnd(now) || _rounds!.AbsentFor(subject, now) < silence || _book.HasEnded(subject, out _))
        {
            return null;
        }

        return _tally.TryCorrelatedVerdict(
            _table.Ids[subject],
            observers,
            quorum,
            now,
            _options.HeardWindow,
            _options.HeardWindow + _options.CorrelatedDelay,
            id => _table.TryIndexOf(id, out var member) && _rounds.AbsentFor(member, now) >= silence);
    }

    private void SendRound(TimeSpan now)
    {
        if (_table.Count <= 1)
        {
            return;
        }

        var target = ObserverRing.FingerTarget(_table, _selfIndex, _roundPushes++, InRing);
        if (target >= 0)
        {
            Send(target, _rounds!.ToMessage(Header(RingMessageKind.Round)), now);
        }
    }

    /// <summary>Joined once our alive verdict is in our book and every member not under an ending verdict has acked it.</summary>
    private void CheckJoin(TimeSpan now)
    {
        if (_joined || !_eligible || _book[_selfIndex] is not { Kind: VerdictKind.Alive, Eligible: true } own
            || own.Incarnation != Incarnation || own.Generation != _generation)
        {
            return;
        }

        // Our book must hold a verdict on every member first: answering over a partial book would elect over too few.
        if (Enumerable.Range(0, _table.Count).Any(m => _book[m] is null))
        {
            return;
        }

        var missing = Enumerable.Range(0, _table.Count)
            .Where(m => m != _selfIndex && !_acks.Contains(m) && !_book.HasEnded(m, out _))
            .ToList();
        if (missing.Count == 0 && NeighboursHoldOurBook(now))
        {
            _joined = true;
            _nextAckRequest = TimeSpan.MaxValue;
            return;
        }

        // Acks come unasked as members apply our verdict, so a request only makes up for a lost ack or verdict. Requests
        // go a period after the verdict reached us, again a period later, then back off to a round (a joiner cut off
        // from many members must not flood them). A flat round made one lost datagram cost a second of nobody answering
        // our share (RingRejoinUnderLossTests: 1.2–2.2 s; CI's invalid-configuration row, 0.9 s).
        if (_nextAckRequest == TimeSpan.MaxValue)
        {
            _ackRequestsSent = 0;
            _nextAckRequest = now + _options.Period;
        }
        else if (now >= _nextAckRequest)
        {
            _ackRequestsSent++;
            _nextAckRequest = now + Min(_options.Period * (1 << Math.Min(_ackRequestsSent - 1, 10)), _options.Round);
            foreach (var member in missing)
            {
                Send(member, new AckRequestMessage(Header(RingMessageKind.AckRequest), _generation), now);
            }
        }
    }

    /// <summary>
    /// Acks come only from members our book has not ended, so a book that missed a verdict could join us over a stale
    /// set: an end that a later alive verdict has replaced elsewhere (that member answers again, and we would take its
    /// share). So we join only when the observers we hear (at least as many as our fence needs) carry our book's digest
    /// on their latest heartbeat; a difference makes us pull within a period (5-node cold starts: 9 of 300 seeds had
    /// two answerers for 20–60 ms, a node that rejoined after a stall joined with an end on a member that was back).
    /// </summary>
    private bool NeighboursHoldOurBook(TimeSpan now)
    {
        if (_table.Count <= 1)
        {
            return true;
        }

        var heard = 0;
        foreach (var observer in _fenceObservers)
        {
            var peer = _peers[observer];
            if (now - peer.HeartbeatAt < _options.HeardWindow)
            {
                if (peer.BookDigest != _book.Digest)
                {
                    return false;
                }

                heard++;
            }
        }

        return heard >= ObserverRing.FenceNeed(_fenceObservers.Count, ObserverRing.Quorum(_table.Count, _options.VerdictQuorum));
    }

    /// <summary>
    /// Tells a member we removed, once a round, that its incarnation ended, as long as we have heard nothing from a later
    /// one; only the members that would be its observers do, so a crashed member costs K datagrams a round. Otherwise
    /// only a datagram from it makes us tell it (<see cref="TellIfEnded"/>), and two members that ended each other (a
    /// two-member table needs one observer, and at a cold start under load both may stall) leave each other out of
    /// their rings: neither sends the other anything again, and neither learns the other's next incarnation. The tell
    /// carries our own incarnation, so it also brings us back into a ring that had ended us.
    /// </summary>
    private void RemindEnded(TimeSpan now)
    {
        for (var member = 0; member < _table.Count; member++)
        {
            if (InRing(member) || _book[member] is not { Kind: VerdictKind.Dead } ended || now - _peers[member].LastToldEnded < _options.Round
                || !ObserversOf(member).Contains(_selfIndex))
            {
                continue;
            }

            _peers[member].LastToldEnded = now;
            Send(member, new VerdictMessage(Header(RingMessageKind.Gossip), [ended]), now);
        }
    }

    private void FlushGossip(TimeSpan now)
    {
        if (_toGossip.Count == 0)
        {
            return;
        }

        var verdicts = _toGossip.ToList();
        _toGossip.Clear();
        foreach (var target in GossipTargets().ToList())
        {
            foreach (var chunk in verdicts.Chunk(40))
            {
                Send(target, new VerdictMessage(Header(RingMessageKind.Gossip), [.. chunk]), now);
            }
        }
    }
}
