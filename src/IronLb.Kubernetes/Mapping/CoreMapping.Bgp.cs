using IronLb.Core.Configuration;
using IronLb.Kubernetes.Crds;

namespace IronLb.Kubernetes.Mapping;

// BGP mode's objects as Core reads them. Absent numbers become the zero value Core treats as "absent" (MetalLB's
// Go zero values), absent ports and lengths stay null so the CRD defaults apply in one place (the parser).
public static partial class CoreMapping
{
    public static BgpPeerResource ToResource(BgpPeerObject peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var spec = peer.Spec ?? new BgpPeerSpec();
        return new BgpPeerResource
        {
            Ref = Ref("BGPPeer", peer.Metadata),
            MyAsn = spec.MyAsn ?? 0,
            PeerAsn = spec.PeerAsn ?? 0,
            DynamicAsn = spec.DynamicAsn,
            LocalAsn = spec.LocalAsn ?? 0,
            PeerAddress = spec.PeerAddress,
            Interface = spec.Interface,
            PeerPort = spec.PeerPort,
            SourceAddress = spec.SourceAddress,
            RouterId = spec.RouterId,
            HoldTime = spec.HoldTime,
            KeepaliveTime = spec.KeepaliveTime,
            ConnectTime = spec.ConnectTime,
            NodeSelectors = ToSelectors(spec.NodeSelectors),
            Password = spec.Password,
            PasswordSecret = spec.PasswordSecret is { } secret ? new SecretReferenceSpec(secret.Name, secret.Namespace) : null,
            BfdProfile = spec.BfdProfile,
            EnableGracefulRestart = spec.EnableGracefulRestart ?? false,
            EbgpMultiHop = spec.EbgpMultiHop ?? false,
            Vrf = spec.Vrf,
            DisableMp = spec.DisableMp ?? false,
            DualStackAddressFamily = spec.DualStackAddressFamily ?? false,
        };
    }

    public static BgpAdvertisementResource ToResource(BgpAdvertisementObject advertisement)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        var spec = advertisement.Spec ?? new BgpAdvertisementSpec();
        return new BgpAdvertisementResource
        {
            Ref = Ref("BGPAdvertisement", advertisement.Metadata),
            AggregationLength = spec.AggregationLength,
            AggregationLengthV6 = spec.AggregationLengthV6,
            LocalPref = spec.LocalPref ?? 0,
            Communities = [.. spec.Communities ?? []],
            IpAddressPools = [.. spec.IpAddressPools ?? []],
            IpAddressPoolSelectors = ToSelectors(spec.IpAddressPoolSelectors),
            NodeSelectors = ToSelectors(spec.NodeSelectors),
            Peers = [.. spec.Peers ?? []],
            ServiceSelectors = ToSelectors(spec.ServiceSelectors),
        };
    }

    public static CommunityResource ToResource(CommunityObject community)
    {
        ArgumentNullException.ThrowIfNull(community);
        return new CommunityResource
        {
            Ref = Ref("Community", community.Metadata),
            Communities = [.. (community.Spec?.Communities ?? []).Select(c => new CommunityAliasSpec(c.Name ?? "", c.Value ?? ""))],
        };
    }
}
