using System.Text.Json.Serialization;
using k8s.Models;

namespace IronLb.Kubernetes.Crds;

// Wire types of MetalLB's BGP CRDs, field for field as in deploy/crds (MetalLB v0.16.1): BGPPeer at
// metallb.io/v1beta2 (the storage version), BGPAdvertisement, Community and ServiceBGPStatus at v1beta1.
// Integers the CRD declares int64 (or int32 where MetalLB means uint32) are long, so an out-of-range value
// reaches validation with its own message instead of failing the whole list. They never reach Core.

public sealed class BgpPeerObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public BgpPeerSpec Spec { get; set; } = new();
}

public sealed class BgpPeerSpec
{
    [JsonPropertyName("myASN")]
    public long? MyAsn { get; set; }

    [JsonPropertyName("peerASN")]
    public long? PeerAsn { get; set; }

    [JsonPropertyName("dynamicASN")]
    public string? DynamicAsn { get; set; }

    [JsonPropertyName("localASN")]
    public long? LocalAsn { get; set; }

    [JsonPropertyName("peerAddress")]
    public string? PeerAddress { get; set; }

    [JsonPropertyName("interface")]
    public string? Interface { get; set; }

    [JsonPropertyName("peerPort")]
    public int? PeerPort { get; set; }

    [JsonPropertyName("sourceAddress")]
    public string? SourceAddress { get; set; }

    [JsonPropertyName("routerID")]
    public string? RouterId { get; set; }

    [JsonPropertyName("holdTime")]
    public string? HoldTime { get; set; }

    [JsonPropertyName("keepaliveTime")]
    public string? KeepaliveTime { get; set; }

    [JsonPropertyName("connectTime")]
    public string? ConnectTime { get; set; }

    [JsonPropertyName("nodeSelectors")]
    public List<V1LabelSelector>? NodeSelectors { get; set; }

    [JsonPropertyName("password")]
    public string? Password { get; set; }

    [JsonPropertyName("passwordSecret")]
    public SecretReferenceObject? PasswordSecret { get; set; }

    [JsonPropertyName("bfdProfile")]
    public string? BfdProfile { get; set; }

    [JsonPropertyName("enableGracefulRestart")]
    public bool? EnableGracefulRestart { get; set; }

    [JsonPropertyName("ebgpMultiHop")]
    public bool? EbgpMultiHop { get; set; }

    [JsonPropertyName("vrf")]
    public string? Vrf { get; set; }

    [JsonPropertyName("disableMP")]
    public bool? DisableMp { get; set; }

    [JsonPropertyName("dualStackAddressFamily")]
    public bool? DualStackAddressFamily { get; set; }
}

/// <summary>spec.passwordSecret: a core/v1 SecretReference.</summary>
public sealed class SecretReferenceObject
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }
}

public sealed class BgpAdvertisementObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public BgpAdvertisementSpec Spec { get; set; } = new();
}

public sealed class BgpAdvertisementSpec
{
    [JsonPropertyName("aggregationLength")]
    public int? AggregationLength { get; set; }

    [JsonPropertyName("aggregationLengthV6")]
    public int? AggregationLengthV6 { get; set; }

    /// <summary>A uint32 in MetalLB although the CRD says int32.</summary>
    [JsonPropertyName("localPref")]
    public long? LocalPref { get; set; }

    [JsonPropertyName("communities")]
    public List<string>? Communities { get; set; }

    [JsonPropertyName("ipAddressPools")]
    public List<string>? IpAddressPools { get; set; }

    [JsonPropertyName("ipAddressPoolSelectors")]
    public List<V1LabelSelector>? IpAddressPoolSelectors { get; set; }

    [JsonPropertyName("nodeSelectors")]
    public List<V1LabelSelector>? NodeSelectors { get; set; }

    [JsonPropertyName("peers")]
    public List<string>? Peers { get; set; }

    [JsonPropertyName("serviceSelectors")]
    public List<V1LabelSelector>? ServiceSelectors { get; set; }
}

public sealed class CommunityObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public CommunitySpec Spec { get; set; } = new();
}

public sealed class CommunitySpec
{
    [JsonPropertyName("communities")]
    public List<CommunityAliasObject>? Communities { get; set; }
}

public sealed class CommunityAliasObject
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}

/// <summary>ServiceBGPStatus (MetalLB 0.15+): one per node and Service, naming the BGPPeers the Service is announced to from that node.</summary>
public sealed class ServiceBgpStatusObject
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "metallb.io/v1beta1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ServiceBGPStatus";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public ServiceBgpStatusStatus? Status { get; set; }
}

public sealed class ServiceBgpStatusStatus
{
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; set; }

    [JsonPropertyName("serviceNamespace")]
    public string? ServiceNamespace { get; set; }

    /// <summary>BGPPeer names, sorted.</summary>
    [JsonPropertyName("peers")]
    public List<string>? Peers { get; set; }
}
