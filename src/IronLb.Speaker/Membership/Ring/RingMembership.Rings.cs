namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// The two rings a node computes. The <b>heartbeat ring</b> (<see cref="InRing"/>) also holds members we have heard in an
/// incarnation after the one our book ended: rejoiners must be heartbeated to gather the ups of their alive verdict. But
/// "heard" is local: one node hears a rejoiner a period (or, behind a lossy link, much) before another, and a ring built
/// on it differs from node to node. The fence argument needs the subject and whoever forms a verdict on it to agree on
/// its observers, so downs, dead verdicts and the fence use the <b>verdict ring</b> (<see cref="InVerdictRing"/>), built
/// from the verdict book alone: two nodes holding the same verdicts compute the same observers. A rejoiner enters it with
/// its alive verdict, and witnesses or fences for nobody until <see cref="RejoinHold"/> later, by when every node has that
/// verdict (found by chaos seed 4: three rejoiners' downs ended a node that answered through observers they displaced).
/// </summary>
internal sealed partial class RingMembership
{
    private List<int> _fenceObservers = [];

    /// <summary>In our heartbeat ring: not ended by a verdict, or heard from in an incarnation after the ended one (rejoining).</summary>
    /// <remarks>
    /// An end on incarnation 0 (a member never heard, so that it does not block joins) keeps the member in the ring: it
    /// may simply have started after us. Were it left out, a neighbour that initiates the pair's heartbeats would never
    /// send it one and never hear its real incarnation, and at a cold start the others' joins waited on it for good
    /// (found in the lab: four speakers stuck for 90 s).
    /// </remarks>
    private bool InRing(int member) =>
        member == _selfIndex || !_book.HasEnded(member, out var ended) || ended == 0 || _peers[member].Replay.Incarnation > ended;

    /// <summary>
    /// In our verdict ring: the book alone decides, for us as for anyone: not ended, or ended on incarnation 0 (never
    /// heard). A node that moved on after a fence lapse, whose old incarnation no verdict has ended, stays in: the others
    /// count it as an observer, so it must go on observing (a majority member that lapsed during a partition is the one
    /// whose downs remove the cut-off members next to it).
    /// </summary>
    private bool InVerdictRing(int member) => !_book.HasEnded(member, out var ended) || ended == 0;

    /// <summary>A member of the verdict ring whose downs count and whose echoes fence: not rejoined within <see cref="RejoinHold"/>.</summary>
    private bool Witnessing(int member, TimeSpan now) => InVerdictRing(member) && now - _peers[member].EstablishedAt >= RejoinHold;

    /// <summary>
    /// How long a rejoiner's alive verdict must have been in our book before it witnesses a death or holds up a fence: the
    /// time for that verdict to reach every node by gossip, or by a pull after a digest mismatch, with room for loss.
    /// </summary>
    private TimeSpan RejoinHold => _options.Round;

    /// <summary>
    /// Ups an alive verdict needs: the table's quorum H', or every observer the subject has in the heartbeat ring when
    /// the ends in the book have left it fewer. The table's quorum alone is right for an end (the fence is counted against
    /// it), but with H' or fewer members left in the ring (three nodes after a crash, four after one, five after two)
    /// it asked for more ups than there were observers: a survivor that came back as a new incarnation (a stall of
    /// W_f + margin, a restart, its own end) could never join again; in three nodes it was also the other survivor's only
    /// fence observer, so that one lapsed and moved on with it. Nothing was answered until a crashed member returned (the
    /// lab's kill -9 row under load: 90 s). An alive verdict only starts a join, which still needs the ack of every member
    /// the book has not ended and the fence's observers holding the same book, so fewer ups hand nobody an address.
    /// Members ended on incarnation 0 (never heard) stay in the heartbeat ring but cannot send an up either: they do not
    /// count, or survivors that all restarted while a crashed member stayed away (a rolling update) never joined.
    /// </summary>
    private int AliveQuorum(int subject)
    {
        var observers = 0;
        foreach (var observer in ObserversOf(subject))
        {
            if (!_book.HasEnded(observer, out var ended) || ended != 0)
            {
                observers++;
            }
        }

        return Math.Max(1, Math.Min(ObserverRing.Quorum(_table.Count, _options.VerdictQuorum), observers));
    }

    /// <summary>Observers in the heartbeat ring: whom we exchange heartbeats with, and who witnesses an alive verdict.</summary>
    private List<int> ObserversOf(int member) => ObserverRing.ObserversOf(_table, member, InRing, _options.Observers);

    /// <summary>Observers in the verdict ring: who witnesses a death, and whose echoes make a fence.</summary>
    private List<int> VerdictObserversOf(int member) => ObserverRing.ObserversOf(_table, member, InVerdictRing, _options.Observers);

    /// <summary>
    /// Our heartbeat partners are our observers in both rings (the verdict ring's reach past rejoiners to members that
    /// may still count us), so every observer that can witness against us, or fence us, keeps hearing us.
    /// </summary>
    private void RefreshObservers(TimeSpan now)
    {
        _fenceObservers = VerdictObserversOf(_selfIndex);
        var current = ObserversOf(_selfIndex).Union(_fenceObservers).ToList();
        foreach (var gone in _observers.Except(current))
        {
            _peers[gone].NeighbourSince = TimeSpan.MaxValue;
            _peers[gone].AwaitingReplySince = TimeSpan.MaxValue;
        }

        foreach (var added in current.Except(_observers))
        {
            // Shifted in: a member we knew in its current incarnation for a while, now our neighbour because members
            // between us were removed. A joiner (new incarnation, just seen) computes the same neighbours itself.
            var peer = _peers[added];
            peer.NeighbourSince = now;
            peer.ShiftedIn = _firstNeighbours != TimeSpan.MaxValue && now - peer.IncarnationSeenAt > _options.HeardWindow;
        }

        _observers = current;
        if (_firstNeighbours == TimeSpan.MaxValue)
        {
            _firstNeighbours = now;
        }
    }
}
