namespace IronLb.Core.Allocation;

public enum EventType
{
    Normal,
    Warning,
}

/// <summary>A Kubernetes Event to record on the Service; reasons are MetalLB's, exactly.</summary>
public sealed record ServiceEvent(EventType Type, string Reason, string Message);

/// <summary>MetalLB's event reasons (controller/service.go), spelled as MetalLB spells them.</summary>
public static class EventReasons
{
    public const string IpAllocated = "IPAllocated";
    public const string AllocationFailed = "AllocationFailed";
    public const string ClearAssignment = "ClearAssignment";
    public const string LoadBalancerFailed = "LoadBalancerFailed";
    public const string AdditionalAssignFailed = "AdditionalAssignFailed";
    public const string NotEnoughClusterIps = "not enough clusterips";
    public const string NoLbIpsIpFamily = "nolbIPsIPFamily";
    public const string NoClusterIpsIpFamily = "noclusterIPsIPFamily";
    public const string DeprecatedAnnotation = "deprecatedAnnotation";
}
