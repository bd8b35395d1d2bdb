using System.Collections.Frozen;
using System.Net;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Who the other speakers are and where they listen, read from the API without any per-Service object.
/// Every speaker renews its Lease <c>ironlb-speaker-&lt;node&gt;</c> (<see cref="SpeakerLease"/>); a peer is a
/// node that has had one, and it stays a peer while its Node exists, at its last known endpoint, even when
/// the Lease is deleted or edited: deleting every Lease (or every ConfigurationState) must not make each
/// speaker a quorum of one. Deleting the Node removes the peer, so a removed node can neither vote nor hold
/// quorum. Pure functions over informer snapshots and the previous answer.
/// </summary>
internal static class SpeakerDirectory
{
    public const string EndpointAnnotation = SpeakerLease.EndpointAnnotation;

    /// <summary>Every other speaker whose Node exists, by node name: its Lease's endpoint, or the one known before.</summary>
    /// <param name="leases">The Leases in the speaker's namespace (others are skipped by name).</param>
    /// <param name="nodes">The Nodes.</param>
    /// <param name="self">This speaker's node, never its own peer.</param>
    /// <param name="known">The previous answer: endpoints kept while a Lease is missing or unreadable.</param>
    public static FrozenDictionary<string, IPEndPoint> Peers(IEnumerable<V1Lease> leases, IEnumerable<V1Node> nodes, string self, IReadOnlyDictionary<string, IPEndPoint> known)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(known);
        var existing = nodes.Select(n => n.Metadata?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var peers = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var (node, endpoint) in known)
        {
            if (existing.Contains(node) && !string.Equals(node, self, StringComparison.Ordinal))
            {
                peers[node] = endpoint;
            }
        }

        foreach (var lease in leases)
        {
            if (SpeakerLease.TryRead(lease, out var node, out var endpoint) && existing.Contains(node) && !string.Equals(node, self, StringComparison.Ordinal))
            {
                peers[node] = endpoint;
            }
        }

        return peers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether a Lease change can change <see cref="Peers"/>: a speaker's Lease with an endpoint not known yet.
    /// Renewals (one per speaker per period) and deletions are not, so they cost no evaluation.
    /// </summary>
    public static bool IsNews(V1Lease? lease, IReadOnlyDictionary<string, IPEndPoint> peers, string self)
    {
        ArgumentNullException.ThrowIfNull(peers);
        return lease is not null && SpeakerLease.TryRead(lease, out var node, out var endpoint) && !string.Equals(node, self, StringComparison.Ordinal)
            && !(peers.TryGetValue(node, out var known) && known.Equals(endpoint));
    }

    /// <summary>Nodes whose Ready condition is True: the membership's fallback when heartbeats cannot decide.</summary>
    public static IReadOnlyList<string> ReadyNodes(IEnumerable<V1Node> nodes) =>
        [.. nodes.Where(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .Select(n => n.Metadata?.Name).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>The Node's first InternalIP: the default heartbeat address, like MetalLB's memberlist bind address.</summary>
    public static IPAddress? InternalIp(V1Node? node) =>
        node?.Status?.Addresses?.Where(a => a.Type == "InternalIP")
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip is not null);

    /// <summary>The MACs the other speakers publish on their Leases (issue 16: their frames are never an address conflict).</summary>
    public static IEnumerable<string> PeerMacs(IEnumerable<V1Lease> leases, string self) =>
        leases.Where(l => SpeakerLease.TryRead(l, out var node, out _) && !string.Equals(node, self, StringComparison.Ordinal))
            .SelectMany(SpeakerLease.ReadMacs);

    public static bool SamePeers(IReadOnlyDictionary<string, IPEndPoint> a, IReadOnlyDictionary<string, IPEndPoint> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other.Equals(kv.Value));
}
