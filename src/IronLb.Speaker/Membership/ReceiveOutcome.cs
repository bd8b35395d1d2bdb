namespace IronLb.Speaker.Membership;

/// <summary>Why a datagram was accepted or refused; one row per reason in the tests.</summary>
internal enum ReceiveOutcome
{
    Accepted,

    /// <summary>Not from any peer's advertised address; dropped before decoding (DatagramGate).</summary>
    UnknownSource,

    /// <summary>From a peer's address but over its token bucket; dropped before decoding (DatagramGate).</summary>
    RateLimited,

    /// <summary>Longer than the protocol can send to this many peers; dropped before decoding (DatagramGate).</summary>
    Oversized,

    /// <summary>Too short, truncated, bad lengths or names.</summary>
    Malformed,
    BadMagic,
    UnsupportedVersion,

    /// <summary>Forged or corrupted: the HMAC does not match the shared key.</summary>
    BadMac,

    /// <summary>Our own name: a looped-back packet or a node-name clash.</summary>
    FromSelf,

    /// <summary>Not in the speaker list from discovery; a removed node cannot vote.</summary>
    UnknownSender,

    /// <summary>Sequence not greater than the last accepted for this sender incarnation.</summary>
    Replayed,

    /// <summary>An incarnation that started no later than the one we already follow.</summary>
    StaleIncarnation,

    /// <summary>Held back longer than MaxDelay relative to the fastest delivery seen from that incarnation.</summary>
    Delayed,

    /// <summary>The incarnation already said goodbye.</summary>
    AfterGoodbye,

    /// <summary>Ring: membership has not started yet, or this node has left.</summary>
    NotStarted,

    /// <summary>Ring: authenticated as one member but sent from another member's address.</summary>
    SourceMismatch,

    /// <summary>Ring: a heartbeat or ack addressed to another member (a peer's member table is behind).</summary>
    NotForMe,

    /// <summary>Ring: a round bitmap over another member table (discovery differs for a moment); not merged.</summary>
    TableMismatch,
}
