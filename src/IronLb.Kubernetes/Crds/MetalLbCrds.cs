using System.Text.Json.Serialization;
using k8s.Models;

namespace IronLb.Kubernetes.Crds;

// Wire types of MetalLB's metallb.io/v1beta1 CRDs, field for field as in deploy/crds (MetalLB v0.16.1).
// They never reach Core: Mapping/ turns them into Core's resources.

public sealed class IpAddressPoolObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IpAddressPoolSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public IpAddressPoolStatus? Status { get; set; }
}

public sealed class IpAddressPoolSpec
{
    [JsonPropertyName("addresses")]
    public List<string>? Addresses { get; set; }

    [JsonPropertyName("autoAssign")]
    public bool? AutoAssign { get; set; }

    [JsonPropertyName("avoidBuggyIPs")]
    public bool? AvoidBuggyIps { get; set; }

    [JsonPropertyName("serviceAllocation")]
    public ServiceAllocationObject? ServiceAllocation { get; set; }
}

public sealed class ServiceAllocationObject
{
    [JsonPropertyName("priority")]
    public int? Priority { get; set; }

    [JsonPropertyName("namespaces")]
    public List<string>? Namespaces { get; set; }

    [JsonPropertyName("namespaceSelectors")]
    public List<V1LabelSelector>? NamespaceSelectors { get; set; }

    [JsonPropertyName("serviceSelectors")]
    public List<V1LabelSelector>? ServiceSelectors { get; set; }
}

/// <summary>IPAddressPool status (MetalLB 0.15.0): int64 counters, IPv6 saturated.</summary>
public sealed record IpAddressPoolStatus
{
    [JsonPropertyName("assignedIPv4")]
    public long AssignedIPv4 { get; init; }

    [JsonPropertyName("assignedIPv6")]
    public long AssignedIPv6 { get; init; }

    [JsonPropertyName("availableIPv4")]
    public long AvailableIPv4 { get; init; }

    [JsonPropertyName("availableIPv6")]
    public long AvailableIPv6 { get; init; }
}

public sealed class L2AdvertisementObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public L2AdvertisementSpec Spec { get; set; } = new();
}

public sealed class L2AdvertisementSpec
{
    [JsonPropertyName("ipAddressPools")]
    public List<string>? IpAddressPools { get; set; }

    [JsonPropertyName("ipAddressPoolSelectors")]
    public List<V1LabelSelector>? IpAddressPoolSelectors { get; set; }

    [JsonPropertyName("nodeSelectors")]
    public List<V1LabelSelector>? NodeSelectors { get; set; }

    [JsonPropertyName("interfaces")]
    public List<string>? Interfaces { get; set; }

    [JsonPropertyName("serviceSelectors")]
    public List<V1LabelSelector>? ServiceSelectors { get; set; }
}

/// <summary>ConfigurationState (MetalLB 0.15.3): one per component, with conditions and a result.</summary>
public sealed class ConfigurationStateObject
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "metallb.io/v1beta1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ConfigurationState";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public Dictionary<string, string>? Spec { get; set; }

    [JsonPropertyName("status")]
    public ConfigurationStateStatus? Status { get; set; }
}

public sealed class ConfigurationStateStatus
{
    [JsonPropertyName("result")]
    public string? Result { get; set; }

    [JsonPropertyName("errorSummary")]
    public string? ErrorSummary { get; set; }

    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }
}

/// <summary>ServiceL2Status: which node announces a Service in Layer 2 mode (read by `ironlb status`).</summary>
public sealed class ServiceL2StatusObject
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "metallb.io/v1beta1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ServiceL2Status";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public ServiceL2StatusStatus? Status { get; set; }
}

public sealed class ServiceL2StatusStatus
{
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; set; }

    [JsonPropertyName("serviceNamespace")]
    public string? ServiceNamespace { get; set; }

    [JsonPropertyName("interfaces")]
    public List<InterfaceName>? Interfaces { get; set; }

    /// <summary>IronLB's addition (deploy/crds): why the address is or is not answered, e.g. AddressConflict; absent on MetalLB's objects.</summary>
    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }
}

public sealed class InterfaceName
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

/// <summary>Source-generated JSON for our CRD types: nothing reflection-based, so the hosts can be AOT-published.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(Json.KubeTimestampConverter)])]
[JsonSerializable(typeof(IpAddressPoolObject))]
[JsonSerializable(typeof(IpAddressPoolStatus))]
[JsonSerializable(typeof(L2AdvertisementObject))]
[JsonSerializable(typeof(ConfigurationStateObject))]
[JsonSerializable(typeof(ServiceL2StatusObject))]
[JsonSerializable(typeof(BgpPeerObject))]
[JsonSerializable(typeof(BgpAdvertisementObject))]
[JsonSerializable(typeof(CommunityObject))]
[JsonSerializable(typeof(ServiceBgpStatusObject))]
public sealed partial class CrdJsonContext : JsonSerializerContext;
