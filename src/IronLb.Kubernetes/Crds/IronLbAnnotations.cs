namespace IronLb.Kubernetes.Crds;

/// <summary>
/// IronLB's own annotations on a speaker's ConfigurationState, the one object per speaker MetalLB already
/// has; the speakers write them and read the endpoint, `ironlb status` reads both. MetalLB ignores them.
/// </summary>
public static class IronLbAnnotations
{
    /// <summary>Where the speaker hears heartbeats, "address:port".</summary>
    public const string MembershipEndpoint = "ironlb.io/membership-endpoint";

    /// <summary>Where its ARP and NDP replies come from, per responder (see <c>ReplyPaths</c>).</summary>
    public const string Layer2Replies = "ironlb.io/layer2-replies";

    /// <summary>Its BGP sessions with their state and prefix counts, as JSON (see <c>BgpSessionReports</c>); absent without BGP.</summary>
    public const string BgpSessions = "ironlb.io/bgp-sessions";
}
