using System.Collections.Frozen;
using System.Collections.Immutable;
using IronLb.Core.Configuration;

namespace IronLb.Manifests;

/// <summary>
/// BGPPeer (metallb.io/v1beta2, and the deprecated v1beta1 with its smaller schema), BGPAdvertisement and Community
/// (v1beta1), checked against MetalLB v0.16.1's CRD schemas: every field read, unknown fields and wrong types are
/// errors naming file:line. A passwordSecret is read as a reference only: plan never needs the password.
/// </summary>
internal static class MetalLbBgpReaders
{
    private static readonly FrozenSet<string> PeerV1Beta1Fields = FrozenSet.Create(StringComparer.Ordinal,
        "myASN", "peerASN", "peerAddress", "peerPort", "sourceAddress", "routerID", "holdTime", "keepaliveTime",
        "nodeSelectors", "password", "bfdProfile", "ebgpMultiHop");

    private static readonly FrozenSet<string> PeerV1Beta2Fields = FrozenSet.Create(StringComparer.Ordinal,
        [.. PeerV1Beta1Fields, "dynamicASN", "localASN", "interface", "connectTime", "passwordSecret", "enableGracefulRestart", "vrf", "disableMP", "dualStackAddressFamily"]);

    private static readonly FrozenSet<string> SecretReferenceFields = FrozenSet.Create(StringComparer.Ordinal, "name", "namespace");

    private static readonly FrozenSet<string> AdvertisementFields = FrozenSet.Create(StringComparer.Ordinal,
        "aggregationLength", "aggregationLengthV6", "localPref", "communities", "ipAddressPools", "ipAddressPoolSelectors",
        "nodeSelectors", "peers", "serviceSelectors");

    private static readonly FrozenSet<string> CommunitySpecFields = FrozenSet.Create(StringComparer.Ordinal, "communities");
    private static readonly FrozenSet<string> AliasFields = FrozenSet.Create(StringComparer.Ordinal, "name", "value");

    public static BgpPeerResource? ReadPeer(MappingNode root, ObjectRef reference, string version, ObjectContext context)
    {
        var spec = context.Mapping(root, "spec", "", required: true);
        if (spec is null)
        {
            return null;
        }

        context.RejectUnknown(spec, "spec", version == "v1beta1" ? PeerV1Beta1Fields : PeerV1Beta2Fields);
        SecretReferenceSpec? secret = null;
        if (context.Mapping(spec, "passwordSecret", "spec") is { } secretRef)
        {
            context.RejectUnknown(secretRef, "spec.passwordSecret", SecretReferenceFields);
            secret = new SecretReferenceSpec(context.String(secretRef, "name", "spec.passwordSecret"), context.String(secretRef, "namespace", "spec.passwordSecret"));
        }

        return new BgpPeerResource
        {
            Ref = reference,
            MyAsn = context.Integer(spec, "myASN", "spec", required: true) ?? 0,
            PeerAsn = context.Integer(spec, "peerASN", "spec") ?? 0,
            DynamicAsn = context.String(spec, "dynamicASN", "spec"),
            LocalAsn = context.Integer(spec, "localASN", "spec") ?? 0,
            PeerAddress = context.String(spec, "peerAddress", "spec"),
            Interface = context.String(spec, "interface", "spec"),
            PeerPort = Int32(spec, "peerPort", context),
            SourceAddress = context.String(spec, "sourceAddress", "spec"),
            RouterId = context.String(spec, "routerID", "spec"),
            HoldTime = context.String(spec, "holdTime", "spec"),
            KeepaliveTime = context.String(spec, "keepaliveTime", "spec"),
            ConnectTime = context.String(spec, "connectTime", "spec"),
            NodeSelectors = LabelSelectorReader.ReadList(spec, "nodeSelectors", "spec", context),
            Password = context.String(spec, "password", "spec"),
            PasswordSecret = secret,
            BfdProfile = context.String(spec, "bfdProfile", "spec"),
            EnableGracefulRestart = context.Bool(spec, "enableGracefulRestart", "spec") ?? false,
            EbgpMultiHop = context.Bool(spec, "ebgpMultiHop", "spec") ?? false,
            Vrf = context.String(spec, "vrf", "spec"),
            DisableMp = context.Bool(spec, "disableMP", "spec") ?? false,
            DualStackAddressFamily = context.Bool(spec, "dualStackAddressFamily", "spec") ?? false,
        };
    }

    public static BgpAdvertisementResource? ReadAdvertisement(MappingNode root, ObjectRef reference, ObjectContext context)
    {
        // Every spec field is optional, and so is spec itself: an empty advertisement announces every pool to every peer.
        var spec = context.Mapping(root, "spec", "");
        if (spec is null)
        {
            return new BgpAdvertisementResource { Ref = reference };
        }

        context.RejectUnknown(spec, "spec", AdvertisementFields);
        return new BgpAdvertisementResource
        {
            Ref = reference,
            AggregationLength = Int32(spec, "aggregationLength", context),
            AggregationLengthV6 = Int32(spec, "aggregationLengthV6", context),
            LocalPref = context.Integer(spec, "localPref", "spec") ?? 0,
            Communities = context.StringList(spec, "communities", "spec"),
            IpAddressPools = context.StringList(spec, "ipAddressPools", "spec"),
            IpAddressPoolSelectors = LabelSelectorReader.ReadList(spec, "ipAddressPoolSelectors", "spec", context),
            NodeSelectors = LabelSelectorReader.ReadList(spec, "nodeSelectors", "spec", context),
            Peers = context.StringList(spec, "peers", "spec"),
            ServiceSelectors = LabelSelectorReader.ReadList(spec, "serviceSelectors", "spec", context),
        };
    }

    public static CommunityResource? ReadCommunity(MappingNode root, ObjectRef reference, ObjectContext context)
    {
        var spec = context.Mapping(root, "spec", "");
        if (spec is null)
        {
            return new CommunityResource { Ref = reference };
        }

        context.RejectUnknown(spec, "spec", CommunitySpecFields);
        var aliases = ImmutableArray.CreateBuilder<CommunityAliasSpec>();
        foreach (var (item, path) in context.MappingItems(spec, "communities", "spec"))
        {
            context.RejectUnknown(item, path, AliasFields);
            aliases.Add(new CommunityAliasSpec(context.String(item, "name", path) ?? "", context.String(item, "value", path) ?? ""));
        }

        return new CommunityResource { Ref = reference, Communities = aliases.ToImmutable() };
    }

    /// <summary>An int32 field of the CRD; a value beyond it is an error here, as the API server refuses it.</summary>
    private static int? Int32(MappingNode spec, string key, ObjectContext context)
    {
        var value = context.Integer(spec, key, "spec");
        if (value is < int.MinValue or > int.MaxValue)
        {
            context.Error(spec[key], $"spec.{key}: {value} is out of range");
            return null;
        }

        return (int?)value;
    }
}
