namespace IronLb.Speaker.Membership;

/// <summary>`--membership-protocol`: the speakers of one cluster must all run the same one (their datagrams differ).</summary>
public enum MembershipProtocolKind
{
    /// <summary>Membership v2: observer ring, verdicts, fencing; constant traffic per node (the default).</summary>
    Ring,

    /// <summary>Membership v1: every speaker heartbeats every other with its whole view; for clusters upgrading from it, up to ~50 speakers.</summary>
    Mesh,
}
