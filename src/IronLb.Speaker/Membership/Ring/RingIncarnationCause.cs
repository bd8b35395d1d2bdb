namespace IronLb.Speaker.Membership.Ring;

/// <summary>Why this node is on its current incarnation: the speaker logs it, since a new one answers only once joined.</summary>
internal enum RingIncarnationCause
{
    /// <summary>The process started (or the ring restarted after a leave).</summary>
    Started,

    /// <summary>Too few observers echoed it for W_f plus the margin (a stall of this process, a cut): a verdict on it became possible.</summary>
    FenceLapsed,

    /// <summary>A verdict from the others ended the previous one (it was frozen, cut off, or a stale start).</summary>
    EndedByOthers,
}
