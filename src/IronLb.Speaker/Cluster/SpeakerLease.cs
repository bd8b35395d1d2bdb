using System.Diagnostics.CodeAnalysis;
using System.Net;
using IronLb.Kubernetes.Crds;
using IronLb.Speaker.Membership;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>What one speaker publishes on its Lease: where it hears heartbeats, and what it is doing.</summary>
internal sealed record SpeakerLeaseContent(IPEndPoint Endpoint, string State)
{
    /// <summary>This host's MACs, comma-separated (lower-case, colon form): frames from them are IronLB's, never an address conflict.</summary>
    public string Macs { get; init; } = "";
}

/// <summary>
/// The per-node Lease <c>ironlb-speaker-&lt;node&gt;</c> (coordination.k8s.io/v1) in the speaker's namespace:
/// holder = the node, the membership endpoint and the speaker's state in annotations. It is how speakers
/// find each other: unlike the ConfigurationState, its owner rewrites all of it at every renewal, so a
/// deleted or edited Lease is back within one renewal period. Pure functions; the writes are
/// <see cref="SpeakerLeaseRenewer"/>'s.
/// </summary>
internal static class SpeakerLease
{
    public const string NamePrefix = "ironlb-speaker-";

    public const string EndpointAnnotation = IronLbAnnotations.MembershipEndpoint;

    /// <summary>For operators, and read by every speaker: the ring's API mode decides on these states (docs/membership.md).</summary>
    public const string StateAnnotation = "ironlb.io/speaker-state";

    /// <summary>The node's MACs, read by every speaker: replies and gratuitous ARPs from these are hand-overs, not conflicts (issue 16).</summary>
    public const string MacsAnnotation = "ironlb.io/macs";

    public const string Answering = "answering";
    public const string NotEligible = "not eligible";
    public const string WarmingUp = "warming up";

    /// <summary>Ring: no round with a majority of the members lately. When most Leases say this, heartbeats fail everywhere.</summary>
    public const string NoMajority = "fenced: no majority round";

    /// <summary>Ring: heartbeats fail across the cluster and this node elects over the Leases (API mode).</summary>
    public const string ApiMode = "api mode";

    /// <summary>Ring: too few observers echo this node.</summary>
    public const string FencedByObservers = "fenced: observers";

    /// <summary>How long a Lease stays valid without renewal, in renewal periods (kubelet's node leases: 40 s / 10 s).</summary>
    public const int DurationPeriods = 4;

    public static string Name(string node) => NamePrefix + node;

    /// <summary>The state published: not eligible before a valid configuration, otherwise whether this node is in its own election.</summary>
    public static string Describe(bool eligible, MembershipView view, string self)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (!eligible)
        {
            return NotEligible;
        }

        if (view.Mode == MembershipMode.Api)
        {
            return ApiMode;
        }

        // The ring can keep a member of its own election from answering (its fence is down): say which fence.
        if (view.Mode == MembershipMode.NoMajority)
        {
            return NoMajority;
        }

        if (view.Live.Contains(self))
        {
            return view.Mode == MembershipMode.Fenced ? FencedByObservers : Answering;
        }

        // Not in its own live set: it answers for nothing, whatever the others think.
        return !view.Excluded.TryGetValue(self, out var reason) ? "fenced" : reason switch
        {
            ExclusionReason.WarmingUp => WarmingUp,
            ExclusionReason.NotHeardByMajority => "fenced: not heard by a majority",
            ExclusionReason.NotReady => "fenced: node not Ready",
            ExclusionReason.Left => "fenced: leaving",
            ExclusionReason.NotEligible => NotEligible,
            _ => "fenced",
        };
    }

    /// <summary>The whole Lease as its owner wants it; applied with server-side apply, so every field here is reset at each renewal.</summary>
    public static V1Lease Build(string ns, string node, SpeakerLeaseContent content, TimeSpan period, DateTimeOffset now, V1OwnerReference? owner)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta
            {
                Name = Name(node),
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = "ironlb",
                    ["app.kubernetes.io/component"] = "speaker",
                },
                Annotations = Annotations(content),
                OwnerReferences = owner is null ? null : [owner],
            },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = node,
                LeaseDurationSeconds = (int)Math.Ceiling(period.TotalSeconds * DurationPeriods),
                RenewTime = now.UtcDateTime,
            },
        };
    }

    /// <summary>The MACs a speaker's Lease lists; anything that is not a MAC is skipped (the Lease is not trusted input).</summary>
    public static IEnumerable<string> ReadMacs(V1Lease lease) =>
        (lease?.Metadata?.Annotations?.Value(MacsAnnotation) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(IsMac)
            .Select(m => m.ToLowerInvariant());

    private static Dictionary<string, string> Annotations(SpeakerLeaseContent content)
    {
        var annotations = new Dictionary<string, string>
        {
            [EndpointAnnotation] = content.Endpoint.ToString(),
            [StateAnnotation] = content.State,
        };
        if (content.Macs.Length > 0)
        {
            annotations[MacsAnnotation] = content.Macs;
        }

        return annotations;
    }

    // Six pairs of hex digits joined by colons.
    private static bool IsMac(string text) =>
        text.Length == 17 && text.Select((c, i) => i % 3 == 2 ? c == ':' : char.IsAsciiHexDigit(c)).All(ok => ok);

    /// <summary>
    /// The node and endpoint a Lease announces. Labels are not read, so relabelling changes nothing; a Lease
    /// whose holder is not the node its name says (edited by hand) is not trusted until its owner rewrites it.
    /// </summary>
    public static bool TryRead(V1Lease lease, [NotNullWhen(true)] out string? node, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        node = null;
        endpoint = null;
        if (lease?.Metadata?.Name is not { } name || !name.StartsWith(NamePrefix, StringComparison.Ordinal) || name.Length == NamePrefix.Length)
        {
            return false;
        }

        var named = name[NamePrefix.Length..];
        if (!string.Equals(lease.Spec?.HolderIdentity, named, StringComparison.Ordinal)
            || lease.Metadata.Annotations?.Value(EndpointAnnotation) is not { } text
            || !IPEndPoint.TryParse(text, out var parsed) || parsed.Port == 0)
        {
            return false;
        }

        node = named;
        endpoint = parsed;
        return true;
    }
}
