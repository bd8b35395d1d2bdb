namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// A stall: the node did not tick for longer than W_f (SIGSTOP, a VM pause, a starved process). Its fence and the
/// kernel deadline have stopped it answering meanwhile; what remains is that its own picture of the others is old.
/// </summary>
internal sealed partial class RingMembership
{
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
            _observingSince = now;
            _quarantineUntil = now + _options.Period;
        }
    }

    /// <summary>Stalled right now (a resumed process reads its socket before it ticks), or just resumed: a period to drain the socket.</summary>
    private bool ReadingBacklog(TimeSpan now) =>
        (_lastTick != RingPeer.Never && now - _lastTick > _options.FenceWindow) || now < _quarantineUntil;
}
