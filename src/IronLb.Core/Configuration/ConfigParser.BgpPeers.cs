using System.Collections.Immutable;
using System.Globalization;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

// BGPPeers (MetalLB's peersFor and its validation): ASNs, address, port, timers, password, duplicates.
// A peer that uses a field only MetalLB's FRR modes implement (vrf, interface, localASN) is valid for MetalLB,
// so it must not reject the whole configuration (a leftover FRR peer would stop a working L2 setup): it is
// dropped with a warning, opens no session, and advertisements naming it lose it. Its genuine errors (a bad
// ASN, address or timer) stay errors, as MetalLB makes them.
public static partial class ConfigParser
{
    /// <summary>The valid peers; <paramref name="dropped"/> receives the names of the valid ones IronLB cannot run.</summary>
    private static List<BgpPeer> ParsePeers(ClusterResources resources, List<ConfigError> errors, List<ConfigError> warnings, HashSet<string> dropped)
    {
        var peers = new List<BgpPeer>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.BgpPeers)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new Problems(resource.Ref);
            if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of BGPPeer \"{resource.Name}\"", "metadata.name");
            }

            var unimplemented = new Problems(resource.Ref);
            var peer = ParsePeer(resource, problems, unimplemented);
            warnings.AddRange(unimplemented.Found);
            if (!problems.Any && unimplemented.Any)
            {
                dropped.Add(resource.Name);
                continue;
            }

            var duplicate = peer is null ? null : DuplicateSession(peer, peers, resources.Nodes);
            if (duplicate is not null)
            {
                problems.Add(duplicate, "spec.peerAddress");
            }

            if (problems.Any || peer is null)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            PeerWarnings(resource, warnings);
            peers.Add(peer);
        }

        return peers;
    }

    /// <summary>The peer, or null when it has errors (in <paramref name="problems"/>) or uses a field IronLB does not implement (in <paramref name="unimplemented"/>).</summary>
    private static BgpPeer? ParsePeer(BgpPeerResource resource, Problems problems, Problems unimplemented)
    {
        var myAsn = Asn(resource.MyAsn, "myASN", problems);
        if (resource.MyAsn == 0)
        {
            problems.Add("missing local ASN", "spec.myASN");
        }

        var peerAsn = Asn(resource.PeerAsn, "peerASN", problems);
        var dynamic = string.IsNullOrEmpty(resource.DynamicAsn) ? null : resource.DynamicAsn;
        if (resource.PeerAsn == 0 && dynamic is null)
        {
            problems.Add("missing peer ASN and dynamicASN", "spec.peerASN");
        }
        else if (resource.PeerAsn != 0 && dynamic is not null)
        {
            problems.Add("both peer ASN and dynamicASN specified", "spec.dynamicASN");
        }

        DynamicAsn? dynamicAsn = dynamic switch
        {
            null => null,
            "internal" => DynamicAsn.Internal,
            "external" => DynamicAsn.External,
            _ => null,
        };
        if (dynamic is not null && dynamicAsn is null)
        {
            problems.Add($"invalid dynamicASN {dynamic}: must be internal or external", "spec.dynamicASN");
        }

        var internalPeer = dynamicAsn == DynamicAsn.Internal || (dynamic is null && resource.PeerAsn == resource.MyAsn);
        if (resource.EbgpMultiHop && internalPeer)
        {
            problems.Add("invalid ebgp-multihop parameter set for an ibgp peer", "spec.ebgpMultiHop");
        }

        if (resource.LocalAsn is < 0 or > MaxAsn)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid localASN {resource.LocalAsn}: must be between 1 and {MaxAsn}"), "spec.localASN");
        }
        else if (resource.LocalAsn != 0)
        {
            unimplemented.Add(Unimplemented("localASN", resource.LocalAsn.ToString(CultureInfo.InvariantCulture), "the session would open with myASN, which the router does not expect"), "spec.localASN");
        }

        var address = PeerAddress(resource, problems, unimplemented);
        var port = resource.PeerPort ?? BgpPeer.DefaultPort;
        if (port is < 1 or > MaxPeerPort)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid peerPort {port}: must be between 1 and {MaxPeerPort}"), "spec.peerPort");
        }

        Address? source = null;
        if (!string.IsNullOrEmpty(resource.SourceAddress))
        {
            if (Address.TryParse(resource.SourceAddress, out var parsed))
            {
                source = parsed;
            }
            else
            {
                problems.Add($"invalid source IP \"{resource.SourceAddress}\"", "spec.sourceAddress");
            }
        }

        Address? routerId = null;
        if (!string.IsNullOrEmpty(resource.RouterId))
        {
            if (!Address.TryParse(resource.RouterId, out var parsed))
            {
                problems.Add($"invalid router ID \"{resource.RouterId}\"", "spec.routerID");
            }
            else if (parsed.Family != IpFamily.IPv4)
            {
                // MetalLB takes it, and its native speaker then fails to encode the OPEN message.
                problems.Add($"invalid router ID \"{resource.RouterId}\": a BGP identifier is four bytes, so it must be an IPv4 address", "spec.routerID");
            }
            else
            {
                routerId = parsed;
            }
        }

        var (hold, keepalive) = Timers(resource, problems);
        var connect = ConnectTime(resource.ConnectTime, problems);
        var nodeSelectors = CompileSelectors(resource.NodeSelectors, "nodeSelectors", problems);

        var secret = string.IsNullOrEmpty(resource.PasswordSecret?.Name) ? null : resource.PasswordSecret;
        var password = string.IsNullOrEmpty(resource.Password) ? null : resource.Password;
        var qualified = $"\"{resource.Ref.Namespace}\"/\"{resource.Name}\"";
        if (password is not null && secret is not null)
        {
            problems.Add($"can not have both password and secret ref set in peer config {qualified}", "spec.passwordSecret");
        }

        if (password is not null && password.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            problems.Add($"password for peer {qualified} contains invalid characters", "spec.password");
        }

        if (!string.IsNullOrEmpty(resource.Vrf))
        {
            unimplemented.Add(Unimplemented("vrf", $"\"{resource.Vrf}\"", "IronLB peers from the default VRF only; remove vrf to peer from there"), "spec.vrf");
        }

        if (problems.Any || unimplemented.Any || myAsn is null || address is null)
        {
            return null;
        }

        return new BgpPeer
        {
            Name = resource.Name,
            MyAsn = myAsn.Value,
            PeerAsn = dynamicAsn is null ? peerAsn : null,
            DynamicAsn = dynamicAsn,
            Address = address.Value,
            Port = port,
            SourceAddress = source,
            RouterId = routerId,
            HoldTime = hold,
            KeepaliveTime = keepalive,
            ConnectTime = connect,
            NodeSelectors = nodeSelectors,
            Password = password,
            PasswordSecret = secret,
            EbgpMultiHop = resource.EbgpMultiHop,
            EnableGracefulRestart = resource.EnableGracefulRestart,
            BfdProfile = string.IsNullOrEmpty(resource.BfdProfile) ? null : resource.BfdProfile,
            DualStackAddressFamily = resource.DualStackAddressFamily,
        };
    }

    private static uint? Asn(long value, string field, Problems problems)
    {
        if (value is < 0 or > MaxAsn)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid {field} {value}: must be between 0 and {MaxAsn}"), $"spec.{field}");
            return null;
        }

        return (uint)value;
    }

    /// <summary>The warning text for a field only MetalLB's FRR modes implement.</summary>
    private static string Unimplemented(string field, string value, string consequence) =>
        $"IronLB's native BGP does not implement {field} ({value}); this peer opens no session: {consequence}";

    private static Address? PeerAddress(BgpPeerResource resource, Problems problems, Problems unimplemented)
    {
        var hasAddress = !string.IsNullOrEmpty(resource.PeerAddress);
        var hasInterface = !string.IsNullOrEmpty(resource.Interface);
        if (!hasAddress && !hasInterface)
        {
            problems.Add("peer has no Address or Interface specified", "spec.peerAddress");
            return null;
        }

        if (hasAddress && hasInterface)
        {
            problems.Add("peer has both Address and Interface specified", "spec.interface");
            return null;
        }

        if (hasInterface)
        {
            unimplemented.Add(Unimplemented("interface", $"\"{resource.Interface}\"", "unnumbered peering is not supported; set peerAddress instead"), "spec.interface");
            return null;
        }

        // Go's net.ParseIP, like MetalLB: a zone ("fe80::1%eth0") is rejected.
        if (!Address.TryParse(resource.PeerAddress, out var address))
        {
            problems.Add($"invalid BGPPeer address \"{resource.PeerAddress}\"", "spec.peerAddress");
            return null;
        }

        return address;
    }

    /// <summary>
    /// MetalLB's parseTimers: only hold given → keepalive hold/3; only keepalive → hold 3×keepalive; hold 0 or
    /// at least 3s (whole seconds count); keepalive not above hold. We also cap hold at 65535s, the most the
    /// OPEN message can carry.
    /// </summary>
    private static (TimeSpan? Hold, TimeSpan? Keepalive) Timers(BgpPeerResource resource, Problems problems)
    {
        const string prefix = "invalid BGPPeer timers: ";
        var holdOk = TryDuration(resource.HoldTime, "holdTime", prefix, problems, out var hold);
        var keepaliveOk = TryDuration(resource.KeepaliveTime, "keepaliveTime", prefix, problems, out var keepalive);
        if (!holdOk || !keepaliveOk || (hold is null && keepalive is null))
        {
            return (null, null);
        }

        var effectiveHold = hold ?? keepalive!.Value * 3;
        var effectiveKeepalive = keepalive ?? effectiveHold / 3;
        var holdText = resource.HoldTime ?? GoDuration.Format(effectiveHold);
        var wholeSeconds = Math.Truncate(effectiveHold.TotalSeconds);
        var valid = true;
        if (wholeSeconds != 0 && wholeSeconds < 3)
        {
            problems.Add($"{prefix}invalid hold time \"{holdText}\": must be 0 or >=3s", "spec.holdTime");
            valid = false;
        }
        else if (wholeSeconds > MaxHoldTimeSeconds)
        {
            problems.Add($"{prefix}invalid hold time \"{holdText}\": must be at most {MaxHoldTimeSeconds}s, the most a BGP OPEN message can carry", "spec.holdTime");
            valid = false;
        }

        if (effectiveKeepalive > effectiveHold)
        {
            var keepaliveText = resource.KeepaliveTime ?? GoDuration.Format(effectiveKeepalive);
            problems.Add($"{prefix}invalid keepaliveTime \"{keepaliveText}\", must be lower than holdTime \"{holdText}\"", "spec.keepaliveTime");
            valid = false;
        }

        return valid ? (effectiveHold, effectiveKeepalive) : (null, null);
    }

    private static bool TryDuration(string? text, string field, string prefix, Problems problems, out TimeSpan? duration)
    {
        duration = null;
        if (text is null)
        {
            return true;
        }

        if (!GoDuration.TryParse(text, out var parsed))
        {
            problems.Add($"{prefix}invalid {field} \"{text}\": not a duration (write it as 90s, 1m30s, 500ms)", $"spec.{field}");
            return false;
        }

        duration = parsed;
        return true;
    }

    // The CRD's CEL rules, which the API server applies and manifest files skip.
    private static TimeSpan? ConnectTime(string? text, Problems problems)
    {
        if (!TryDuration(text, "connectTime", string.Empty, problems, out var connect) || connect is null)
        {
            return null;
        }

        var value = connect.Value;
        if (value.TotalSeconds is < 1 or >= 65536)
        {
            problems.Add("connect time should be between 1 seconds to 65535", "spec.connectTime");
            return null;
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add("connect time should contain a whole number of seconds", "spec.connectTime");
            return null;
        }

        return value;
    }

    /// <summary>
    /// Two peers that would open the same TCP session (same address, port and source) from one node: the
    /// router would see one neighbour connect twice. MetalLB's native mode lets this through (its duplicate
    /// check compares whole objects, names included) and its FRR mode rejects it; we reject it too.
    /// </summary>
    private static string? DuplicateSession(BgpPeer peer, List<BgpPeer> earlier, ImmutableArray<NodeResource> nodes)
    {
        foreach (var other in earlier)
        {
            if (other.Address != peer.Address || other.Port != peer.Port || other.SourceAddress != peer.SourceAddress)
            {
                continue;
            }

            string? where = null;
            if (other.NodeSelectors.IsEmpty && peer.NodeSelectors.IsEmpty)
            {
                where = "every node";
            }
            else if (nodes.OrderBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault(n => other.SelectsNode(n.Labels) && peer.SelectsNode(n.Labels)) is { } node)
            {
                where = $"node \"{node.Name}\"";
            }

            if (where is not null)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"peer {peer.Address} already exists: BGPPeer \"{other.Name}\" opens the same session (port {peer.Port}) from {where}; give the two peers disjoint nodeSelectors or merge them");
            }
        }

        return null;
    }

    private static void PeerWarnings(BgpPeerResource resource, List<ConfigError> warnings)
    {
        if (!string.IsNullOrEmpty(resource.BfdProfile))
        {
            warnings.Add(new ConfigError(resource.Ref, $"bfdProfile \"{resource.BfdProfile}\" is not yet used: IronLB has no BFD yet, so a dead session is noticed by the hold timer only", "spec.bfdProfile"));
        }

        if (resource.EnableGracefulRestart)
        {
            warnings.Add(new ConfigError(resource.Ref, "enableGracefulRestart is not yet used: IronLB does not offer graceful restart yet, so the router drops this node's routes as soon as the session closes", "spec.enableGracefulRestart"));
        }

        if (resource.DisableMp)
        {
            warnings.Add(new ConfigError(resource.Ref, "disable mp is deprecated and has no effect: use dualStackAddressFamily to send both families over one session", "spec.disableMP"));
        }
    }
}
