namespace IronLb.Speaker.Membership.Ring;

/// <summary>Admission of datagrams and what each kind does. Replies are queued and leave with the next Tick.</summary>
internal sealed partial class RingMembership
{
    /// <summary>
    /// Admits one datagram from member <paramref name="from"/> (the transport maps the source address to a member):
    /// decode and MAC, then sender checks, then anti-replay, then the kind's effect. Every outcome is counted.
    /// </summary>
    public RingReceiveOutcome Receive(string from, ReadOnlySpan<byte> datagram)
    {
        var outcome = Admit(from, datagram, out var message, out var sender);
        _outcomes[(int)outcome]++;
        if (outcome == RingReceiveOutcome.Accepted)
        {
            outcome = Handle(message!, sender);
            if (outcome != RingReceiveOutcome.Accepted)
            {
                _outcomes[(int)RingReceiveOutcome.Accepted]--;
                _outcomes[(int)outcome]++;
            }
        }

        return outcome;
    }

    private RingReceiveOutcome Admit(string from, ReadOnlySpan<byte> datagram, out RingMessage? message, out int sender)
    {
        sender = -1;
        message = null;
        if (!_started || _left || _selfIndex < 0)
        {
            return RingReceiveOutcome.NotStarted;
        }

        var decoded = RingCodec.TryDecode(datagram, _key, out message);
        if (decoded != RingReceiveOutcome.Accepted)
        {
            return decoded;
        }

        var header = message!.Header;
        if (header.Sender == _selfId)
        {
            return RingReceiveOutcome.FromSelf;
        }

        if (!_table.TryIndexOf(header.Sender, out sender))
        {
            return RingReceiveOutcome.UnknownSender;
        }

        if (!string.Equals(_table.Names[sender], from, StringComparison.Ordinal))
        {
            return RingReceiveOutcome.SourceMismatch;
        }

        var peer = _peers[sender];
        var admitted = peer.Replay.Admit(header.Incarnation, header.Sequence, out var newIncarnation);
        if (admitted == RingReceiveOutcome.Accepted && newIncarnation)
        {
            peer.ResetProofs();
            peer.IncarnationSeenAt = Now;
        }

        return admitted;
    }

    private RingReceiveOutcome Handle(RingMessage message, int sender)
    {
        var now = Now;
        EnsureRounds(now);

        // Any kind, not only heartbeats: a removed member whose ring view no longer reaches its observers (it only
        // replies to heartbeats, and nobody asks it any more) still pushes rounds, and must learn that it was removed.
        TellIfEnded(sender, message.Header.Incarnation, now);
        switch (message)
        {
            case HeartbeatMessage heartbeat:
                return OnHeartbeat(heartbeat, sender, now);
            case ObservationMessage or RoundMessage when ReadingBacklog(now):
                _drops[(int)RingDropReason.AfterStall]++;
                return RingReceiveOutcome.Accepted;
            case ObservationMessage observations:
                OnObservations(observations, sender, now);
                return RingReceiveOutcome.Accepted;
            case VerdictMessage verdicts:
                // Ends first: an alive verdict's proof is checked against the ring (AliveQuorum), which the ends in the same
                // batch (a pull answered with a whole book) may shrink.
                foreach (var verdict in verdicts.Verdicts.OrderBy(v => v.Kind == VerdictKind.Alive))
                {
                    OnVerdict(verdict, now, forward: message.Header.Kind == RingMessageKind.Gossip);
                }

                return RingReceiveOutcome.Accepted;
            case PullRequestMessage:
                foreach (var chunk in _book.All.Chunk(400))
                {
                    Send(sender, new VerdictMessage(Header(RingMessageKind.PullResponse), [.. chunk]), now);
                }

                return RingReceiveOutcome.Accepted;
            case AckMessage ack:
                if (ack.Receiver != _selfId)
                {
                    return RingReceiveOutcome.NotForMe;
                }

                if (ack.Incarnation == Incarnation && ack.Generation == _generation)
                {
                    _acks.Add(sender);
                }

                return RingReceiveOutcome.Accepted;
            case AckRequestMessage request:
                if (_book[sender] is { Kind: VerdictKind.Alive } held && held.Incarnation == request.Header.Incarnation && held.Generation == request.Generation)
                {
                    Send(sender, new AckMessage(Header(RingMessageKind.Ack), _table.Ids[sender], held.Incarnation, held.Generation), now);
                }

                return RingReceiveOutcome.Accepted;
            case RoundMessage round:
                return _rounds!.Merge(round, now) ? RingReceiveOutcome.Accepted : RingReceiveOutcome.TableMismatch;
            default:
                return RingReceiveOutcome.Malformed;
        }
    }

    private RingReceiveOutcome OnHeartbeat(HeartbeatMessage heartbeat, int sender, TimeSpan now)
    {
        if (heartbeat.Receiver != _selfId)
        {
            return RingReceiveOutcome.NotForMe;
        }

        // Before this echo renews the fence: a lapse that it would hide must still count.
        CheckFenceLapse(now);
        var peer = _peers[sender];
        peer.AwaitingReplySince = TimeSpan.MaxValue;
        peer.Generation = heartbeat.Generation;
        peer.Flags = heartbeat.Header.Flags;

        // The echo proves freshness only if it names this incarnation of ours and a sequence we sent within the log.
        if (heartbeat.EchoIncarnation == Incarnation && _sent.TryGet(heartbeat.EchoSequence, out var sentAt))
        {
            if (sentAt > peer.ProofSentAt)
            {
                peer.ProofSentAt = sentAt;
            }

            if ((heartbeat.Header.Flags & RingFlags.HearYou) != 0 && sentAt > peer.FenceEchoAt)
            {
                peer.FenceEchoAt = sentAt;
            }
        }

        peer.BookDigest = heartbeat.VerdictDigest;
        peer.HeartbeatAt = now;
        if (heartbeat.VerdictDigest == _book.Digest)
        {
            peer.DigestMismatchSince = TimeSpan.MaxValue;
        }
        else if (peer.DigestMismatchSince == TimeSpan.MaxValue)
        {
            peer.DigestMismatchSince = now;
        }
        else if (now - peer.DigestMismatchSince >= _options.Period && now - peer.LastPull >= 2 * _options.Period)
        {
            peer.LastPull = now;
            Send(sender, new PullRequestMessage(Header(RingMessageKind.PullRequest)), now);
        }

        if (heartbeat.Header.Sender < _selfId)
        {
            ReplyToHeartbeat(sender, now);
        }

        return RingReceiveOutcome.Accepted;
    }

    /// <summary>A member still heartbeating an incarnation our book has ended missed its verdict: send it, so it rejoins.</summary>
    private void TellIfEnded(int sender, ulong incarnation, TimeSpan now)
    {
        var peer = _peers[sender];
        if (_book[sender] is { Kind: not VerdictKind.Alive } ended && ended.Incarnation >= incarnation && now - peer.LastToldEnded >= _options.Period)
        {
            peer.LastToldEnded = now;
            Send(sender, new VerdictMessage(Header(RingMessageKind.Gossip), [ended]), now);
        }
    }

    private void OnObservations(ObservationMessage message, int sender, TimeSpan now)
    {
        foreach (var observation in message.Observations)
        {
            if (!_table.TryIndexOf(observation.Subject, out var subject) || subject == _selfIndex)
            {
                _drops[(int)RingDropReason.ObservationUnknownSubject]++;
                continue;
            }

            // A down is heard only from the subject's observers in the verdict ring, an up from those in the heartbeat ring.
            var observers = observation.Opinion == Opinion.Down ? VerdictObserversOf(subject) : ObserversOf(subject);
            if (!observers.Contains(sender))
            {
                _drops[(int)RingDropReason.ObservationNotObserver]++;
                continue;
            }

            _tally.Record(message.Header.Sender, observation, now);
            TryFormVerdict(subject, now);
        }
    }

    private void OnVerdict(Verdict verdict, TimeSpan now, bool forward)
    {
        if (!_table.TryIndexOf(verdict.Subject, out var subject) || verdict.Witnesses.Any(w => !_table.TryIndexOf(w, out _)))
        {
            _drops[(int)RingDropReason.VerdictUnknownMember]++;
            return;
        }

        if (!IsProven(verdict, subject))
        {
            _drops[(int)RingDropReason.VerdictUnproven]++;

            // A dead verdict on us that is too small a proof for our table was witnessed under a smaller one (at a cold
            // start a two-member table needs one observer). Others must not act on it, so it stays out of the book; but
            // its holders have ended this incarnation and leave it out of their rings (no heartbeats to it, no witness of
            // it alive), and the others hear us, so no larger proof ever follows: this incarnation could never join,
            // and the joins of the others waited on it for good (the lab: three speakers fenced for 200 s).
            if (subject == _selfIndex && verdict.Kind == VerdictKind.Dead && IsWitnessedByOthers(verdict))
            {
                EndOwnIncarnation(verdict.Incarnation);
            }

            return;
        }

        ApplyVerdict(subject, verdict, now, forward);
    }

    /// <summary>
    /// Comes back as a new incarnation when <paramref name="ended"/> is ours (or later). Always safe: it only stops us
    /// answering until the new incarnation has joined, and any verdict on the old one is harmless from then on.
    /// </summary>
    private void EndOwnIncarnation(ulong ended)
    {
        if (ended >= Incarnation && !_left)
        {
            Incarnation = ended + 1;
            IncarnationCause = RingIncarnationCause.EndedByOthers;
            _observingSince = Now;
            ResetJoin();
        }
    }

    /// <summary>Distinct witnesses, at least one, none of them the subject: a proof under some member table.</summary>
    private static bool IsWitnessedByOthers(Verdict verdict) =>
        verdict.Witnesses.Length > 0 && !verdict.Witnesses.Contains(verdict.Subject) && verdict.Witnesses.Distinct().Count() == verdict.Witnesses.Length;

    /// <summary>
    /// Left: witnessed by its subject alone. Otherwise a quorum of distinct witnesses other than the subject: the table's
    /// for an end, <see cref="AliveQuorum"/> for an alive verdict.
    /// </summary>
    private bool IsProven(Verdict verdict, int subject)
    {
        if (verdict.Kind == VerdictKind.Left)
        {
            return verdict.Witnesses is [var only] && only == verdict.Subject;
        }

        var distinct = verdict.Witnesses.Distinct().Count();
        var quorum = verdict.Kind == VerdictKind.Alive ? AliveQuorum(subject) : ObserverRing.Quorum(_table.Count, _options.VerdictQuorum);
        return distinct == verdict.Witnesses.Length && !verdict.Witnesses.Contains(verdict.Subject) && distinct >= quorum;
    }

    private void ApplyVerdict(int subject, Verdict verdict, TimeSpan now, bool forward)
    {
        var rejoin = verdict.Kind == VerdictKind.Alive && _book.HasEnded(subject, out var endedBefore) && endedBefore != 0;
        if (!_book.Apply(subject, verdict))
        {
            return;
        }

        // The rings follow the book at once: the fence must never count observers the others no longer count.
        if (rejoin)
        {
            _peers[subject].EstablishedAt = now;
        }

        RefreshObservers(now);

        if (forward)
        {
            _toGossip.Add(verdict);
        }

        if (subject == _selfIndex)
        {
            // Our own incarnation ended (a freeze, a cut, or a stale start): come back as a new one.
            if (verdict.Kind != VerdictKind.Alive)
            {
                EndOwnIncarnation(verdict.Incarnation);
            }

            return;
        }

        if (verdict is { Kind: VerdictKind.Alive, Eligible: true })
        {
            Send(subject, new AckMessage(Header(RingMessageKind.Ack), verdict.Subject, verdict.Incarnation, verdict.Generation), now);
        }
    }
}
