using System.Collections.Immutable;
using System.Globalization;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

// BGP mode's objects (MetalLB's peersFor, communitiesFromCrs, bgpAdvertisementFromCR, validateBGPAdvPerPool):
// BGPPeers, Community aliases and BGPAdvertisements, with MetalLB's messages first in each text so they can
// be searched for, and our explanation after them. Every rule runs on every object; the caller applies the
// result only when no object anywhere has an error.
public static partial class ConfigParser
{
    private const long MaxAsn = uint.MaxValue;
    private const int MaxPeerPort = 16384;
    private const int MaxHoldTimeSeconds = ushort.MaxValue;

    private sealed record ParsedBgpAdvertisement(BgpAdvertisementResource Resource, BgpAdvertisement Advertisement, ImmutableArray<LabelSelector> PoolSelectors);

    private static (List<AddressPool> Pools, ImmutableArray<BgpPeer> Peers) ParseBgp(
        ClusterResources resources, List<AddressPool> pools, List<ConfigError> errors, List<ConfigError> warnings)
    {
        var (communities, declaredAliases) = ParseCommunities(resources, errors);
        var peers = ParsePeers(resources, errors, warnings);
        var declaredPeers = resources.BgpPeers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var advertisements = ParseBgpAdvertisements(resources, communities, declaredAliases, peers, declaredPeers, errors, warnings);
        var declaredPools = resources.Pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return (AttachBgpAdvertisements(resources, pools, advertisements, declaredPools, errors, warnings), [.. peers]);
    }

    private static (Dictionary<string, BgpCommunity> Aliases, HashSet<string> Declared) ParseCommunities(ClusterResources resources, List<ConfigError> errors)
    {
        var aliases = new Dictionary<string, BgpCommunity>(StringComparer.Ordinal);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.Communities)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new Problems(resource.Ref);
            var parsed = new List<(string Name, BgpCommunity Value)>();
            var entries = resource.Communities.IsDefault ? [] : resource.Communities;
            for (var index = 0; index < entries.Length; index++)
            {
                var (name, value) = entries[index];
                var at = $"spec.communities[{index}]";
                if (string.IsNullOrEmpty(name))
                {
                    problems.Add($"community alias #{index + 1} has no name", $"{at}.name");
                    continue;
                }

                if (!BgpCommunity.TryParse(value ?? string.Empty, out var community, out var error, out _))
                {
                    problems.Add($"parsing community \"{name}\": {error}", $"{at}.value");
                }

                // Names are global: an advertisement refers to an alias by name alone, whichever object defines it.
                if (!declared.Add(name))
                {
                    problems.Add($"duplicate definition of community \"{name}\"", $"{at}.name");
                    continue;
                }

                parsed.Add((name, community));
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            foreach (var (name, value) in parsed)
            {
                aliases[name] = value;
            }
        }

        return (aliases, declared);
    }

    private static List<BgpPeer> ParsePeers(ClusterResources resources, List<ConfigError> errors, List<ConfigError> warnings)
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

            var peer = ParsePeer(resource, problems);
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

    private static BgpPeer? ParsePeer(BgpPeerResource resource, Problems problems)
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

        if (resource.LocalAsn != 0)
        {
            problems.Add($"localASN {resource.LocalAsn} is not implemented yet: IronLB always opens the session with myASN", "spec.localASN");
        }

        var address = PeerAddress(resource, problems);
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
            problems.Add($"vrf \"{resource.Vrf}\" is not implemented yet: IronLB opens BGP sessions from the default VRF only", "spec.vrf");
        }

        if (problems.Any || myAsn is null || address is null)
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

    private static Address? PeerAddress(BgpPeerResource resource, Problems problems)
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
            problems.Add($"interface \"{resource.Interface}\" (unnumbered BGP) is not implemented yet: set peerAddress instead", "spec.interface");
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

    private static List<ParsedBgpAdvertisement> ParseBgpAdvertisements(
        ClusterResources resources,
        Dictionary<string, BgpCommunity> aliases,
        HashSet<string> declaredAliases,
        List<BgpPeer> peers,
        HashSet<string> declaredPeers,
        List<ConfigError> errors,
        List<ConfigError> warnings)
    {
        var parsed = new List<ParsedBgpAdvertisement>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.BgpAdvertisements)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new Problems(resource.Ref);
            if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of BGPAdvertisement \"{resource.Name}\"", "metadata.name");
            }

            var poolNames = Distinct(resource.IpAddressPools, "ipAddressPools", "ipAddressPools", problems);
            var communityTexts = Distinct(resource.Communities, "community", "communities", problems);
            var peerNames = Distinct(resource.Peers, "peers", "peers", problems);
            var poolSelectors = CompileSelectors(resource.IpAddressPoolSelectors, "ipAddressPoolSelectors", problems);
            var nodeSelectors = CompileSelectors(resource.NodeSelectors, "nodeSelectors", problems);
            var serviceSelectors = CompileSelectors(resource.ServiceSelectors, "serviceSelectors", problems);

            var length = resource.AggregationLength ?? BgpAdvertisement.DefaultAggregationLength;
            var lengthV6 = resource.AggregationLengthV6 ?? BgpAdvertisement.DefaultAggregationLengthV6;
            if (length is < 1 or > 32)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid aggregation length {length} for IPv4: must be between 1 and 32"), "spec.aggregationLength");
            }

            if (lengthV6 is < 0 or > 128)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid aggregation length {lengthV6} for IPv6: must be between 0 and 128"), "spec.aggregationLengthV6");
            }

            // An aggregate carries many Services, so it cannot follow one Service's labels (MetalLB v0.16).
            if (!resource.ServiceSelectors.IsDefaultOrEmpty)
            {
                if (length != BgpAdvertisement.DefaultAggregationLength)
                {
                    problems.Add($"serviceSelectors and aggregationLength are mutually exclusive, both cannot be set in {resource.Name}", "spec.aggregationLength");
                }

                if (lengthV6 != BgpAdvertisement.DefaultAggregationLengthV6)
                {
                    problems.Add($"serviceSelectors and aggregationLengthV6 are mutually exclusive, both cannot be set in {resource.Name}", "spec.aggregationLengthV6");
                }
            }

            if (resource.LocalPref is < 0 or > MaxAsn)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid localPref {resource.LocalPref}: must be between 0 and {MaxAsn}"), "spec.localPref");
            }

            var communities = ImmutableSortedSet.CreateBuilder<BgpCommunity>();
            for (var index = 0; index < communityTexts.Length; index++)
            {
                var text = communityTexts[index];
                if (ResolveCommunity(text, aliases, declaredAliases, out var error) is { } community)
                {
                    communities.Add(community);
                }
                else
                {
                    problems.Add($"invalid community \"{text}\" in BGP advertisement: {error}", $"spec.communities[{index}]");
                }
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            for (var index = 0; index < peerNames.Length; index++)
            {
                if (!peers.Any(p => string.Equals(p.Name, peerNames[index], StringComparison.Ordinal)))
                {
                    warnings.Add(MissingPeer(resource.Ref, peerNames[index], index, declaredPeers, peers));
                }
            }

            var advertisement = new BgpAdvertisement
            {
                Name = resource.Name,
                AggregationLength = length,
                AggregationLengthV6 = lengthV6,
                LocalPref = (uint)resource.LocalPref,
                Communities = [.. communities],
                Nodes = nodeSelectors.IsEmpty
                    ? null
                    : [.. resources.Nodes.Where(n => nodeSelectors.Any(s => s.Matches(n.Labels))).Select(n => n.Name)],
                Peers = ImmutableSortedSet.Create(StringComparer.Ordinal, [.. peerNames]),
                ServiceSelectors = serviceSelectors,
            };
            var reached = peers.Where(p => advertisement.IncludesPeer(p.Name)).ToList();
            if (advertisement.LocalPref != 0 && reached.Count > 0 && !reached.Any(p => p.IsInternal))
            {
                warnings.Add(new ConfigError(resource.Ref,
                    string.Create(CultureInfo.InvariantCulture, $"localPref {advertisement.LocalPref} has no effect: LOCAL_PREF goes to iBGP peers only (myASN equal to peerASN, or dynamicASN internal), and none of the peers this advertisement reaches is one"),
                    "spec.localPref"));
            }

            parsed.Add(new ParsedBgpAdvertisement(resource, advertisement, poolSelectors));
        }

        return parsed;
    }

    /// <summary>A list field with its duplicates reported (MetalLB's validateDuplicate), as written otherwise.</summary>
    private static ImmutableArray<string> Distinct(ImmutableArray<string> values, string what, string field, Problems problems)
    {
        var listed = values.IsDefault ? [] : values;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < listed.Length; index++)
        {
            if (!seen.Add(listed[index]))
            {
                problems.Add($"duplicate definition of {what} \"{listed[index]}\"", $"spec.{field}[{index}]");
            }
        }

        return listed;
    }

    /// <summary>An alias name first (MetalLB looks aliases up before parsing), then A:B or large:G:L1:L2.</summary>
    private static BgpCommunity? ResolveCommunity(string text, Dictionary<string, BgpCommunity> aliases, HashSet<string> declared, out string error)
    {
        error = string.Empty;
        if (aliases.TryGetValue(text, out var aliased))
        {
            return aliased;
        }

        if (declared.Contains(text))
        {
            error = $"the Community alias \"{text}\" is invalid (see its errors)";
            return null;
        }

        if (BgpCommunity.TryParse(text, out var community, out error, out var badFormat))
        {
            return community;
        }

        if (badFormat)
        {
            // MetalLB waits for such an alias to appear (a transient error); a manifest set that never defines it stays broken.
            var known = aliases.Count == 0
                ? "there are no Community aliases"
                : $"the Community aliases are {string.Join(", ", aliases.Keys.Order(StringComparer.Ordinal).Take(10))}{(aliases.Count > 10 ? ", ..." : "")}";
            error = $"{error}: it is neither A:B nor large:G:L1:L2, and no Community object names it ({known})";
        }

        return null;
    }

    private static ConfigError MissingPeer(ObjectRef advertisement, string name, int index, HashSet<string> declared, List<BgpPeer> peers)
    {
        var why = declared.Contains(name)
            ? "which is invalid (see its errors), so no session gets these routes from it"
            : peers.Count == 0
                ? "which does not exist; there are no BGPPeers"
                : $"which does not exist; the BGPPeers are {string.Join(", ", peers.Select(p => p.Name).Take(10))}{(peers.Count > 10 ? ", ..." : "")}";
        return new ConfigError(advertisement, $"peers names BGPPeer \"{name}\", {why}", $"spec.peers[{index}]");
    }

    private static List<AddressPool> AttachBgpAdvertisements(
        ClusterResources resources,
        List<AddressPool> pools,
        List<ParsedBgpAdvertisement> advertisements,
        HashSet<string> declaredPools,
        List<ConfigError> errors,
        List<ConfigError> warnings)
    {
        var attached = pools.ToDictionary(p => p.Name, _ => new List<BgpAdvertisement>(), StringComparer.Ordinal);
        var entries = PoolEntries(resources, pools);
        foreach (var (resource, advertisement, poolSelectors) in advertisements)
        {
            var named = resource.IpAddressPools.IsDefault ? [] : resource.IpAddressPools;
            var targets = named.IsEmpty && poolSelectors.IsEmpty
                ? pools
                : [.. pools.Where(p => named.Contains(p.Name, StringComparer.Ordinal) || poolSelectors.Any(s => s.Matches(p.Labels)))];

            for (var index = 0; index < named.Length; index++)
            {
                if (!attached.ContainsKey(named[index]))
                {
                    warnings.Add(MissingPool(resource.Ref, named[index], index, declaredPools, pools));
                }
            }

            var problems = new Problems(resource.Ref);
            foreach (var pool in targets)
            {
                CheckAggregation(advertisement, pool.Name, entries[pool.Name], problems);
                CheckLocalPref(advertisement, pool, attached[pool.Name], problems);
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            foreach (var pool in targets)
            {
                attached[pool.Name].Add(advertisement);
            }
        }

        return [.. pools.Select(p => p with { BgpAdvertisements = [.. attached[p.Name]] })];
    }

    /// <summary>Each valid pool's spec.addresses entries with the prefixes each was cut into (a range gives several).</summary>
    private static Dictionary<string, List<(string Entry, ImmutableArray<Cidr> Cidrs)>> PoolEntries(ClusterResources resources, List<AddressPool> pools)
    {
        var entries = new Dictionary<string, List<(string, ImmutableArray<Cidr>)>>(StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            // The object this pool came from: a same-named one elsewhere (another namespace) was skipped.
            entries[pool.Name] = resources.Pools
                .Where(r => string.Equals(r.Name, pool.Name, StringComparison.Ordinal))
                .Select(r => r.Addresses.Select(e => (Entry: e, Ok: PoolAddressParser.TryParse(e, out var cidrs, out _), Cidrs: cidrs)).ToList())
                .Where(parsed => parsed.All(p => p.Ok) && parsed.SelectMany(p => p.Cidrs).SequenceEqual(pool.Cidrs))
                .Select(parsed => parsed.Select(p => (p.Entry, p.Cidrs)).ToList())
                .FirstOrDefault() ?? [];
        }

        return entries;
    }

    /// <summary>
    /// Aggregating to a prefix shorter than the pool's own would announce addresses the pool does not hold.
    /// For a range the shortest of its prefixes counts, as in MetalLB. (MetalLB prints the IPv4 length in
    /// the IPv6 case; we print the length that was compared.)
    /// </summary>
    private static void CheckAggregation(BgpAdvertisement advertisement, string pool, List<(string Entry, ImmutableArray<Cidr> Cidrs)> entries, Problems problems)
    {
        foreach (var (entry, cidrs) in entries)
        {
            if (cidrs.IsEmpty)
            {
                continue;
            }

            var length = advertisement.AggregationLengthFor(cidrs[0].Family);
            var shortest = cidrs.Min(c => c.PrefixLength);
            if (length < shortest)
            {
                var field = cidrs[0].Family == IpFamily.IPv4 ? "spec.aggregationLength" : "spec.aggregationLengthV6";
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"invalid aggregation length {length}: prefix {shortest} in this pool is more specific than the aggregation length for addresses {entry} (pool \"{pool}\")"), field);
            }
        }
    }

    /// <summary>
    /// MetalLB's BGPAdvertisementsHaveCompatibleLocalPref: two advertisements of one pool that could send the
    /// same prefix to the same peer from the same node must agree on LOCAL_PREF. They cannot collide when their
    /// aggregation lengths differ for every family the pool has, when both name peers and share none, or when
    /// their nodes are disjoint. Advertisements with serviceSelectors are left to the announcement, as in MetalLB.
    /// </summary>
    private static void CheckLocalPref(BgpAdvertisement advertisement, AddressPool pool, List<BgpAdvertisement> earlier, Problems problems)
    {
        if (!advertisement.ServiceSelectors.IsEmpty)
        {
            return;
        }

        foreach (var other in earlier)
        {
            if (!other.ServiceSelectors.IsEmpty || other.LocalPref == advertisement.LocalPref)
            {
                continue;
            }

            var hasV4 = pool.HasFamily(IpFamily.IPv4);
            var hasV6 = pool.HasFamily(IpFamily.IPv6);
            var lengthsDiffer = (!hasV4 || other.AggregationLength != advertisement.AggregationLength)
                && (!hasV6 || other.AggregationLengthV6 != advertisement.AggregationLengthV6);
            var peersDisjoint = !other.Peers.IsEmpty && !advertisement.Peers.IsEmpty && !other.Peers.Overlaps(advertisement.Peers);
            var nodesDisjoint = other.Nodes is not null && advertisement.Nodes is not null && !other.Nodes.Overlaps(advertisement.Nodes);
            if (lengthsDiffer || peersDisjoint || nodesDisjoint)
            {
                continue;
            }

            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"invalid local preference {advertisement.LocalPref}: local preference {other.LocalPref} was already set for the same type of BGP update by BGPAdvertisement \"{other.Name}\" on pool \"{pool.Name}\". Check existing BGP advertisements with common pools and aggregation lengths"),
                "spec.localPref");
        }
    }
}
