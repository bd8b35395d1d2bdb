using System.Collections.Frozen;
using System.Net;
using IronLb.Kubernetes.Crds;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Who the other speakers are and where they listen, read from the API without any per-Service object:
/// every speaker publishes its heartbeat endpoint on its own ConfigurationState (<c>speaker-&lt;node&gt;</c>,
/// which MetalLB's speakers write anyway), and a peer counts only while its Node exists, so a removed
/// node can neither vote nor hold quorum. Pure functions over informer snapshots.
/// </summary>
internal static class SpeakerDirectory
{
    public const string EndpointAnnotation = IronLbAnnotations.MembershipEndpoint;

    public static string StateName(string node) => "speaker-" + node;

    /// <summary>Every other speaker with a usable endpoint whose Node still exists, by node name.</summary>
    public static FrozenDictionary<string, IPEndPoint> Peers(IEnumerable<ConfigurationStateObject> states, IEnumerable<V1Node> nodes, string self)
    {
        var known = nodes.Select(n => n.Metadata?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var peers = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            var labels = state.Metadata.Labels;
            if (labels is null || labels.Value(MetalLbLabels.ComponentType) != "speaker"
                || labels.Value(MetalLbLabels.NodeName) is not { Length: > 0 } node
                || node == self || !known.Contains(node)
                || state.Metadata.Annotations?.Value(EndpointAnnotation) is not { } text
                || !IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0)
            {
                continue;
            }

            peers[node] = endpoint;
        }

        return peers.ToFrozenDictionary(StringComparer.Ordinal);
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

    public static bool SamePeers(IReadOnlyDictionary<string, IPEndPoint> a, IReadOnlyDictionary<string, IPEndPoint> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other.Equals(kv.Value));
}
