namespace IronLb.Speaker.Membership.ApiMode;

/// <summary>What the Leases say about switching to API mode, one row per reason (table-tested).</summary>
internal enum ApiModeCondition
{
    /// <summary>A strict majority of the members have fresh Leases saying they are fenced for want of a majority round (or are in API mode), and no fresh Lease says a ring answer.</summary>
    Holds,

    /// <summary>This node's own Lease has not been seen changing lately: its view of the API may be stale, so it proves nothing.</summary>
    SelfStale,

    /// <summary>This node's own last write is not a "no majority" or "api mode" state (it is answering, ineligible, or joining).</summary>
    SelfNotFenced,

    /// <summary>Some fresh Lease says its speaker answers through the ring: the heartbeats work somewhere.</summary>
    RingAnswering,

    /// <summary>Fewer than a strict majority of the members have fresh Leases saying they lack a majority round.</summary>
    TooFewFenced,
}
