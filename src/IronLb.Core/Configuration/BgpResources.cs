using System.Collections.Immutable;

namespace IronLb.Core.Configuration;

// The BGP objects as read (metallb.io BGPPeer v1beta2, BGPAdvertisement and Community v1beta1), field by
// field and before validation, like the pool and L2 resources beside them. Numbers that the CRD declares
// as int64 or uint32 are long here so a manifest's out-of-range value reaches validation instead of being
// lost in a cast; null means the field was absent wherever MetalLB gives absence its own meaning.

/// <summary>spec.passwordSecret: a reference to a kubernetes.io/basic-auth Secret holding the MD5 password.</summary>
public sealed record SecretReferenceSpec(string? Name, string? Namespace = null);

/// <summary>A BGPPeer (metallb.io/v1beta2) as read.</summary>
public sealed record BgpPeerResource
{
    public required ObjectRef Ref { get; init; }

    /// <summary>spec.myASN; 0 (the zero value) is reported as a missing local ASN.</summary>
    public long MyAsn { get; init; }

    /// <summary>spec.peerASN; 0 means absent (exactly one of peerASN and dynamicASN).</summary>
    public long PeerAsn { get; init; }

    /// <summary>spec.dynamicASN: "internal" or "external".</summary>
    public string? DynamicAsn { get; init; }

    /// <summary>spec.localASN (FRR's local-as ... replace-as); 0 means absent.</summary>
    public long LocalAsn { get; init; }
    public string? PeerAddress { get; init; }

    /// <summary>spec.interface: unnumbered peering.</summary>
    public string? Interface { get; init; }

    /// <summary>Null when absent; the CRD defaults it to 179.</summary>
    public int? PeerPort { get; init; }
    public string? SourceAddress { get; init; }
    public string? RouterId { get; init; }

    /// <summary>Go duration strings ("90s", "1m30s") as written.</summary>
    public string? HoldTime { get; init; }
    public string? KeepaliveTime { get; init; }
    public string? ConnectTime { get; init; }
    public ImmutableArray<LabelSelectorSpec> NodeSelectors { get; init; } = [];
    public string? Password { get; init; }
    public SecretReferenceSpec? PasswordSecret { get; init; }
    public string? BfdProfile { get; init; }
    public bool EnableGracefulRestart { get; init; }
    public bool EbgpMultiHop { get; init; }
    public string? Vrf { get; init; }
    public bool DisableMp { get; init; }
    public bool DualStackAddressFamily { get; init; }
    public string Name => Ref.Name;
}

/// <summary>A BGPAdvertisement (metallb.io/v1beta1) as read.</summary>
public sealed record BgpAdvertisementResource
{
    public required ObjectRef Ref { get; init; }

    /// <summary>Null when absent; the CRD defaults it to 32.</summary>
    public int? AggregationLength { get; init; }

    /// <summary>Null when absent; the CRD defaults it to 128.</summary>
    public int? AggregationLengthV6 { get; init; }

    /// <summary>spec.localPref (a uint32 in MetalLB); 0 means unset.</summary>
    public long LocalPref { get; init; }

    /// <summary>Each "A:B", "large:G:L1:L2", or the name of a Community alias.</summary>
    public ImmutableArray<string> Communities { get; init; } = [];
    public ImmutableArray<string> IpAddressPools { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> IpAddressPoolSelectors { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> NodeSelectors { get; init; } = [];

    /// <summary>BGPPeer names; empty means every peer.</summary>
    public ImmutableArray<string> Peers { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> ServiceSelectors { get; init; } = [];
    public string Name => Ref.Name;
}

/// <summary>One spec.communities entry of a Community object: an alias for a community value.</summary>
public sealed record CommunityAliasSpec(string Name, string Value);

/// <summary>A Community (metallb.io/v1beta1) as read: named community values advertisements can refer to.</summary>
public sealed record CommunityResource
{
    public required ObjectRef Ref { get; init; }
    public ImmutableArray<CommunityAliasSpec> Communities { get; init; } = [];
    public string Name => Ref.Name;
}
