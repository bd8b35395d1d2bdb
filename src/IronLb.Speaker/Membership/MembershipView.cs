using System.Collections.Immutable;

namespace IronLb.Speaker.Membership;

/// <summary>Why a known speaker is not in the live set.</summary>
internal enum ExclusionReason
{
    /// <summary>A majority of the speakers whose reports are fresh no longer hear it.</summary>
    NotHeardByMajority,

    /// <summary>It said goodbye (clean shutdown).</summary>
    Left,

    /// <summary>This speaker has run for less than the heard window; its own view is not mature yet.</summary>
    WarmingUp,

    /// <summary>Fallback mode and Kubernetes does not report the node Ready.</summary>
    NotReady,

    /// <summary>
    /// Heard and counted for quorum, but it has never had a valid configuration (its heartbeats say so, or
    /// it is this speaker): left out of the election so the others cover its share.
    /// </summary>
    NotEligible,
}

/// <summary>How the live set was decided.</summary>
internal enum MembershipMode
{
    /// <summary>This speaker sits with more than half of the known speakers: heartbeats decide.</summary>
    Quorum,

    /// <summary>Isolated or on a minority side: unheard nodes count as live while Kubernetes reports them Ready.</summary>
    ReadinessFallback,

    /// <summary>Ring: fewer observers echo this node than its fence needs, or its join is not complete: it answers nothing.</summary>
    Fenced,

    /// <summary>Ring: no round with a strict majority of the members was seen lately (a minority side, or heartbeats cut): it answers nothing.</summary>
    NoMajority,

    /// <summary>Ring: heartbeats fail across the cluster, so the speakers' Leases decide who is alive (API mode).</summary>
    Api,
}

/// <summary>An immutable snapshot for the election: Live feeds ElectionInput.Speakers.</summary>
internal sealed record MembershipView(
    ImmutableSortedSet<string> Live,
    ImmutableSortedDictionary<string, ExclusionReason> Excluded,
    MembershipMode Mode)
{
    public static MembershipView Empty { get; } = new(
        ImmutableSortedSet.Create<string>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, ExclusionReason>(StringComparer.Ordinal),
        MembershipMode.ReadinessFallback);

    public bool SameLiveSet(MembershipView other) => Live.SetEquals(other.Live);
}
