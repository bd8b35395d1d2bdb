namespace IronLb.Speaker.Membership.Ring;

/// <summary>Why a datagram was accepted or refused, in the order the checks run; one test row per reason.</summary>
internal enum RingReceiveOutcome
{
    Accepted,

    /// <summary>Shorter than a header and a MAC.</summary>
    TooShort,
    BadMagic,
    UnsupportedVersion,

    /// <summary>Forged or corrupted: the truncated HMAC does not match the shared key.</summary>
    BadMac,
    UnknownKind,

    /// <summary>Authenticated but not well formed: reserved bits, lengths, counts or values out of range.</summary>
    Malformed,

    /// <summary>Start has not been called, or the node has left.</summary>
    NotStarted,

    /// <summary>Our own id: a looped-back datagram or a name clash.</summary>
    FromSelf,

    /// <summary>The sender is not in the member table.</summary>
    UnknownSender,

    /// <summary>The authenticated sender is not the member the datagram came from.</summary>
    SourceMismatch,

    /// <summary>An incarnation older than the newest seen from that sender.</summary>
    StaleIncarnation,

    /// <summary>A sequence already seen, or older than the anti-replay window.</summary>
    Replayed,

    /// <summary>A heartbeat or ack addressed to another member.</summary>
    NotForMe,

    /// <summary>A round bitmap built over another member table (discovery not yet converged).</summary>
    TableMismatch,
}

/// <summary>Parts of an accepted datagram that were dropped, counted by reason.</summary>
internal enum RingDropReason
{
    /// <summary>A verdict on a subject, or naming a witness, that is not in the member table.</summary>
    VerdictUnknownMember,

    /// <summary>A verdict with fewer distinct witnesses than a quorum, or a Left verdict not witnessed by its subject.</summary>
    VerdictUnproven,

    /// <summary>An observation from a member that is not one of the subject's observers in our view.</summary>
    ObservationNotObserver,

    /// <summary>An observation on a subject not in the member table.</summary>
    ObservationUnknownSubject,

    /// <summary>An observation or a round bitmap read right after a stall: it may have waited in the socket for seconds.</summary>
    AfterStall,
}
