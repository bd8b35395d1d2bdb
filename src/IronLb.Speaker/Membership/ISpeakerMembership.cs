using System.Net;

namespace IronLb.Speaker.Membership;

/// <summary>
/// What the cluster speaker needs from a membership protocol, whichever runs: the election's speaker set, whether
/// this node may answer at all right now, and the inputs from discovery. Both the ring (v2, the default) and the
/// all-to-all mesh (v1) implement it, so ClusterSpeaker has one path for either.
/// </summary>
internal interface ISpeakerMembership
{
    /// <summary>"ring" or "mesh", for logs and the Lease.</summary>
    string Protocol { get; }

    /// <summary>The current snapshot; Live is the election's speaker set.</summary>
    MembershipView View { get; }

    /// <summary>Raised (on the membership's own loop) when <see cref="View"/> or <see cref="Answering"/> changes.</summary>
    event EventHandler? Changed;

    /// <summary>
    /// Whether this node may answer for what it owns in <see cref="View"/>. The mesh answers whenever it is in its own
    /// live set; the ring only while its fence (observers' echoes and the round lease) holds.
    /// </summary>
    bool Answering { get; }

    /// <summary>
    /// Kept from answering for long enough (the ring: fenced for <see cref="RingMembershipLoop.WithdrawAfter"/>) that the
    /// speaker withdraws its table and status too. Answers themselves stop at once through the Ticked bound.
    /// </summary>
    bool Withdrawn { get; }

    /// <summary>A speaker without a valid configuration yet is not elected anywhere (issue 14, finding 7).</summary>
    bool Eligible { get; set; }

    /// <summary>
    /// After every tick, on the loop: the proof that the loop is alive. The argument bounds how long this node may
    /// answer without another tick: null when the protocol sets no bound of its own, zero when it must not answer.
    /// </summary>
    Action<TimeSpan?>? Ticked { get; set; }

    /// <summary>Once the ticks have stopped, before the goodbye: the last moment to stop answering.</summary>
    Action? Leaving { get; set; }

    /// <summary>What the API says about the speakers' Leases (the ring's API mode reads it on every tick; the mesh ignores it).</summary>
    Func<ApiMode.LeaseEvidence>? LeaseEvidence { get; set; }

    /// <summary>The other speakers from discovery, with their advertised endpoints.</summary>
    void SetPeers(IReadOnlyDictionary<string, IPEndPoint> peers);

    /// <summary>Nodes Kubernetes reports Ready (the mesh's fallback; the ring ignores it).</summary>
    void SetReadyNodes(IEnumerable<string>? ready);

    /// <summary>Runs until cancelled, then withdraws and says goodbye.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
