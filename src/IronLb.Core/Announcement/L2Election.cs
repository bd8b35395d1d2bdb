using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;

namespace IronLb.Core.Announcement;

/// <summary>Everything the stateless election looks at for one Service.</summary>
public sealed record ElectionInput
{
    /// <summary>The Service's labels and annotations (service selectors, allow-shared-ip) and traffic policy.</summary>
    public required ServiceView Service { get; init; }

    /// <summary>Text of the first ingress address: the election hashes it, so shared and dual-stack addresses elect once.</summary>
    public required string FirstIp { get; init; }

    /// <summary>The pool the addresses belong to, with its L2Advertisements.</summary>
    public required AddressPool Pool { get; init; }

    public ServiceEndpoints Endpoints { get; init; } = ServiceEndpoints.None;

    /// <summary>Nodes with a live speaker (all known nodes when membership is unavailable).</summary>
    public required IReadOnlyCollection<string> Speakers { get; init; }

    /// <summary>Node objects, for the NetworkUnavailable condition and the exclusion label.</summary>
    public ImmutableArray<NodeResource> Nodes { get; init; } = [];

    /// <summary>--ignore-exclude-lb.</summary>
    public bool IgnoreExcludeLabel { get; init; }
}

/// <summary>The ordered candidates and the winner, or why nobody announces.</summary>
public sealed record ElectionResult(string? Winner, AnnounceDecision Reason, ImmutableArray<string> Candidates);

/// <summary>
/// MetalLB's Layer 2 election (speaker/layer2_controller.go ShouldAnnounce): stateless and deterministic,
/// so every speaker computes the same order. Candidates sort by SHA-256 of "node#ip", ascending by bytes.
/// </summary>
public static class L2Election
{
    public const string ExcludeFromLoadBalancersLabel = "node.kubernetes.io/exclude-from-external-load-balancers";

    /// <summary>Whether <paramref name="node"/> announces the Service, or why not.</summary>
    public static AnnounceDecision ShouldAnnounce(string node, ElectionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (reason, advertisements, candidates) = Evaluate(input);
        if (reason != AnnounceDecision.Announce)
        {
            return reason;
        }

        if (!advertisements.Any(a => a.IncludesNode(node)))
        {
            return AnnounceDecision.NoMatchingAdvertisement;
        }

        return candidates.Length > 0 && string.Equals(candidates[0], node, StringComparison.Ordinal)
            ? AnnounceDecision.Announce
            : AnnounceDecision.NotOwner;
    }

    /// <summary>The cluster-wide view: who wins (what `plan` and `status` show).</summary>
    public static ElectionResult Elect(ElectionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (reason, _, candidates) = Evaluate(input);
        if (reason != AnnounceDecision.Announce)
        {
            return new ElectionResult(null, reason, candidates);
        }

        return candidates.IsEmpty
            ? new ElectionResult(null, AnnounceDecision.NotOwner, candidates)
            : new ElectionResult(candidates[0], AnnounceDecision.Announce, candidates);
    }

    /// <summary>The advertisements of the pool that apply to the Service (service selectors, ORed).</summary>
    public static ImmutableArray<L2Advertisement> AdvertisementsFor(AddressPool pool, ServiceView service)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(service);
        return [.. pool.L2Advertisements.Where(a => a.MatchesService(service.Labels))];
    }

    /// <summary>
    /// The interfaces a node answers on for the Service (MetalLB's ipAdvertisementFor): all of them when
    /// any applying advertisement names none, else the union of the named ones.
    /// </summary>
    public static InterfaceSelection InterfacesFor(string node, AddressPool pool, ServiceView service)
    {
        var applying = AdvertisementsFor(pool, service).Where(a => a.IncludesNode(node)).ToList();
        if (applying.Count == 0)
        {
            return InterfaceSelection.None;
        }

        return applying.Any(a => a.AllInterfaces)
            ? InterfaceSelection.All
            : new InterfaceSelection(false, [.. applying.SelectMany(a => a.Interfaces).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    /// <summary>SHA-256 of "node#ip" in UTF-8: the election's sort key.</summary>
    public static byte[] Hash(string node, string ip) => SHA256.HashData(Encoding.UTF8.GetBytes($"{node}#{ip}"));

    private static (AnnounceDecision Reason, ImmutableArray<L2Advertisement> Advertisements, ImmutableArray<string> Candidates) Evaluate(ElectionInput input)
    {
        var endpoints = input.Endpoints.Endpoints.IsDefault ? [] : input.Endpoints.Endpoints;
        if (!endpoints.Any(e => e.CanServe))
        {
            return (AnnounceDecision.NotOwner, [], []);
        }

        var advertisements = AdvertisementsFor(input.Pool, input.Service);

        // Siblings sharing the address could match different advertisements and split the announcement
        // (MetalLB issue 3025, refused on MetalLB main after v0.16.1).
        if (ServiceAnnotations.Get(input.Service.Annotations, ServiceAnnotations.AllowSharedIp) is not null
            && advertisements.Any(a => !a.ServiceSelectors.IsEmpty))
        {
            return (AnnounceDecision.SharedIpWithServiceSelector, advertisements, []);
        }

        if (advertisements.IsEmpty)
        {
            return (AnnounceDecision.NoMatchingAdvertisement, advertisements, []);
        }

        var nodes = input.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var withEndpoint = endpoints.Where(e => e.CanServe && e.NodeName is not null).Select(e => e.NodeName!).ToHashSet(StringComparer.Ordinal);
        var candidates = input.Speakers
            .Distinct(StringComparer.Ordinal)
            .Where(name => !nodes.TryGetValue(name, out var n) || !n.NetworkUnavailable)
            .Where(name => input.IgnoreExcludeLabel || !nodes.TryGetValue(name, out var n) || !n.Labels.ContainsKey(ExcludeFromLoadBalancersLabel))
            .Where(name => advertisements.Any(a => a.IncludesNode(name)))
            .Where(name => !input.Service.ExternalTrafficPolicyLocal || withEndpoint.Contains(name))
            .Select(name => (Name: name, Hash: Hash(name, input.FirstIp)))
            .OrderBy(c => c.Hash, ByteOrder.Instance)
            .Select(c => c.Name)
            .ToImmutableArray();
        return (AnnounceDecision.Announce, advertisements, candidates);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

/// <summary>Where a node answers for an address: every interface, or the named ones; None when no advertisement applies.</summary>
public sealed record InterfaceSelection(bool AllInterfaces, ImmutableArray<string> Interfaces)
{
    public static InterfaceSelection All { get; } = new(true, []);

    public static InterfaceSelection None { get; } = new(false, []);

    public bool IsNone => !AllInterfaces && Interfaces.IsEmpty;
}
