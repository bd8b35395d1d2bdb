using System.Collections.Immutable;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

/// <summary>spec.dynamicASN: accept whatever AS the peer opens with, as long as it is (internal) or is not (external) ours.</summary>
public enum DynamicAsn
{
    Internal,
    External,
}

/// <summary>
/// A validated BGPPeer: one session per node its selectors pick. Timers are null when the manifest left
/// both hold and keepalive out (the speaker's defaults apply: hold 90s, keepalive hold/3); when only one
/// was given the other is derived as MetalLB derives it.
/// </summary>
public sealed record BgpPeer
{
    public const int DefaultPort = 179;

    public required string Name { get; init; }
    public required uint MyAsn { get; init; }

    /// <summary>Null exactly when <see cref="DynamicAsn"/> is set.</summary>
    public uint? PeerAsn { get; init; }
    public DynamicAsn? DynamicAsn { get; init; }
    public required Address Address { get; init; }
    public int Port { get; init; } = DefaultPort;
    public Address? SourceAddress { get; init; }

    /// <summary>Always IPv4 (a BGP identifier is four bytes); null lets the speaker choose.</summary>
    public Address? RouterId { get; init; }
    public TimeSpan? HoldTime { get; init; }
    public TimeSpan? KeepaliveTime { get; init; }
    public TimeSpan? ConnectTime { get; init; }

    /// <summary>ORed; empty means every node.</summary>
    public ImmutableArray<LabelSelector> NodeSelectors { get; init; } = [];
    public string? Password { get; init; }

    /// <summary>The Secret holding the password; resolving it is the host's job (Core reads no Secrets).</summary>
    public SecretReferenceSpec? PasswordSecret { get; init; }
    public bool EbgpMultiHop { get; init; }

    /// <summary>Accepted and carried, not yet acted on (reported as a warning).</summary>
    public bool EnableGracefulRestart { get; init; }

    /// <summary>Accepted and carried, not yet acted on (reported as a warning).</summary>
    public string? BfdProfile { get; init; }

    /// <summary>Also send the other family's prefixes over this session; by default a session carries its own family only.</summary>
    public bool DualStackAddressFamily { get; init; }

    /// <summary>iBGP: the peer is in our AS (LOCAL_PREF is sent only then).</summary>
    public bool IsInternal => DynamicAsn is null ? PeerAsn == MyAsn : DynamicAsn == Configuration.DynamicAsn.Internal;

    /// <summary>Whether a node with these labels runs a session with this peer.</summary>
    public bool SelectsNode(IReadOnlyDictionary<string, string> nodeLabels) =>
        NodeSelectors.IsEmpty || NodeSelectors.Any(s => s.Matches(nodeLabels));

    /// <summary>Whether the session carries prefixes of this family.</summary>
    public bool Carries(IpFamily family) => DualStackAddressFamily || Address.Family == family;
}

/// <summary>
/// A validated BGPAdvertisement as attached to a pool. Communities are resolved (aliases replaced by their
/// values), deduplicated and sorted; Nodes is null when every node may announce; Peers is empty when every
/// peer gets the routes.
/// </summary>
public sealed record BgpAdvertisement
{
    public const int DefaultAggregationLength = 32;
    public const int DefaultAggregationLengthV6 = 128;

    public required string Name { get; init; }
    public int AggregationLength { get; init; } = DefaultAggregationLength;
    public int AggregationLengthV6 { get; init; } = DefaultAggregationLengthV6;

    /// <summary>0 means unset.</summary>
    public uint LocalPref { get; init; }
    public ImmutableArray<BgpCommunity> Communities { get; init; } = [];
    public ImmutableSortedSet<string>? Nodes { get; init; }
    public ImmutableSortedSet<string> Peers { get; init; } = ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    public ImmutableArray<LabelSelector> ServiceSelectors { get; init; } = [];

    public bool IncludesNode(string node) => Nodes is null || Nodes.Contains(node);

    public bool IncludesPeer(string peer) => Peers.IsEmpty || Peers.Contains(peer);

    public bool MatchesService(IReadOnlyDictionary<string, string> serviceLabels) =>
        ServiceSelectors.IsEmpty || ServiceSelectors.Any(s => s.Matches(serviceLabels));

    public int AggregationLengthFor(IpFamily family) => family == IpFamily.IPv4 ? AggregationLength : AggregationLengthV6;

    /// <summary>The prefix an address is announced as: the address masked to the family's aggregation length.</summary>
    public Cidr PrefixFor(Address address) => new(address, AggregationLengthFor(address.Family));
}
