namespace IronLb.Core.Announcement;

/// <summary>
/// Why a node does or does not announce a Service's addresses in Layer 2 mode: Announce, or the reason
/// MetalLB's speaker logs for withdrawing (§4.1, §4.2). Every "no" is a table-test row.
/// </summary>
public enum AnnounceDecision
{
    Announce,
    NotLoadBalancer,
    NoIpAllocated,
    InvalidIp,
    IpNotAllowed,
    NotOwner,
    NoMatchingAdvertisement,
    SharedIpWithServiceSelector,
}

public static class AnnounceDecisionExtensions
{
    /// <summary>The reason string MetalLB logs, so logs of the two implementations compare.</summary>
    public static string ToWire(this AnnounceDecision decision) => decision switch
    {
        AnnounceDecision.Announce => "",
        AnnounceDecision.NotLoadBalancer => "notLoadBalancer",
        AnnounceDecision.NoIpAllocated => "noIPAllocated",
        AnnounceDecision.InvalidIp => "invalidIP",
        AnnounceDecision.IpNotAllowed => "ipNotAllowed",
        AnnounceDecision.NotOwner => "notOwner",
        AnnounceDecision.NoMatchingAdvertisement => "noMatchingAdvertisement",
        AnnounceDecision.SharedIpWithServiceSelector => "sharedIPWithServiceSelector",
        _ => decision.ToString(),
    };
}
