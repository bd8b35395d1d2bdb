using System.Collections.Immutable;
using IronLb.Networking;
using IronLb.Speaker.Bgp;

namespace IronLb.Speaker.Announcing;

/// <summary>
/// The outcome of one evaluation of the manifests for one node: either usable (decisions and the table to
/// hand to the announcer) or not (every reason why, and nothing else, so the caller keeps its last good state).
/// </summary>
internal sealed record SpeakerPlan
{
    public required bool Usable { get; init; }

    /// <summary>Why the input cannot be used (or, when usable, warnings worth logging), one line each naming the object.</summary>
    public ImmutableArray<string> Problems { get; init; } = [];

    /// <summary>Per LoadBalancer Service, ordered by namespace/name.</summary>
    public ImmutableArray<ServiceDecision> Services { get; init; } = [];

    /// <summary>The election candidates used.</summary>
    public ImmutableArray<string> Speakers { get; init; } = [];

    public AnnounceTable Table { get; init; } = AnnounceTable.Empty;

    /// <summary>This node's BGP sessions and routes (empty without BGPPeers).</summary>
    public BgpNodePlan Bgp { get; init; } = BgpNodePlan.Empty;

    public static SpeakerPlan Unusable(IEnumerable<string> problems) => new() { Usable = false, Problems = [.. problems] };
}
