namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// A stall: the node did not tick for longer than W_f (SIGSTOP, a VM pause, a starved process). Its fence and the
/// kernel deadline have stopped it answering meanwhile; what remains is that its own picture of the others is old.
/// </summary>
internal sealed partial class RingMembership
{
    private TimeSpan _leaseSince = TimeSpan.MaxValue;

    /// <summary>How many stalls this node noticed (ticks more than W_f apart).</summary>
    public long Stalls { get; private set; }

    /// <summary>
    /// After a stall, nobody has echoed us for the whole stall: that is our silence, not our neighbours'. So we give them W
    /// to answer before calling any of them down, as after a start. And what queued up in the socket meanwhile is read as
    /// if it had just arrived: an observer's down sent seconds ago, counted as fresh, could complete a verdict on a node
    /// that observer has heard (and fenced) again since; an old round bitmap would grant a lease. Those two kinds are
    /// dropped until the backlog is read (<see cref="ReadingBacklog"/>). Verdicts, acks and heartbeats stay: a verdict is
    /// a proof that does not age, and a heartbeat's echo is checked against our own send times.
    /// </summary>
    private void NoteStall(TimeSpan now)
    {
        if (_lastTick != RingPeer.Never && now - _lastTick > _options.FenceWindow)
        {
            Stalls++;
            _leaseSince = TimeSpan.MaxValue;
            _observingSince = now;
            _quarantineUntil = now + _options.Period;
        }
    }

    /// <summary>Stalled right now (a resumed process reads its socket before it ticks), or just resumed: a period to drain the socket.</summary>
    private bool ReadingBacklog(TimeSpan now) =>
        (_lastTick != RingPeer.Never && now - _lastTick > _options.FenceWindow) || now < _quarantineUntil;

    /// <summary>
    /// Whether we may end an incarnation: we hold the round lease and have held it, as far as our ticks saw, for a round.
    /// A node that gains the lease after it had none (a minority member at the heal, a resumed node) holds a book that
    /// missed the majority's verdicts: in its ring the members the majority removed still observe, and their downs,
    /// held all through the partition, ended a majority node that answered through observers the majority's ring had
    /// shifted onto it (chaos seed 34 after the last heal). A round is time to pull the majority's book (a neighbour's
    /// digest differs for a period) and to be told of our own end.
    /// </summary>
    private bool MayEnd(TimeSpan now) => HoldsRoundLease && _leaseSince != TimeSpan.MaxValue && now - _leaseSince >= _options.Round;

    /// <summary>Called on every tick: since when the round lease has been held without a tick that saw it gone.</summary>
    private void NoteLease(TimeSpan now)
    {
        if (!HoldsRoundLease)
        {
            _leaseSince = TimeSpan.MaxValue;
        }
        else if (_leaseSince == TimeSpan.MaxValue)
        {
            _leaseSince = now;
        }
    }
}
