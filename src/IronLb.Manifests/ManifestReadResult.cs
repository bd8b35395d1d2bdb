using System.Collections.Immutable;
using System.Globalization;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;

namespace IronLb.Manifests;

/// <summary>Everything read from manifest files, ready for Core's planner.</summary>
public sealed record ManifestReadResult
{
    public required ClusterResources Resources { get; init; }
    public ImmutableArray<ServiceView> Services { get; init; } = [];

    /// <summary>The Secrets of the configuration namespace, for the speaker's BGPPeer passwordSecrets; plan does not read them.</summary>
    public ImmutableArray<ManifestSecret> Secrets { get; init; } = [];

    /// <summary>Endpoints of the Services that have EndpointSlices in the input; the others have none here.</summary>
    public ImmutableDictionary<ServiceKey, ServiceEndpoints> Endpoints { get; init; } =
        ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty;

    /// <summary>Where each Service (or the Gateway it comes from) is defined, "file:line", so warnings can name the file.</summary>
    public ImmutableDictionary<ServiceKey, string> ServiceSources { get; init; } =
        ImmutableDictionary<ServiceKey, string>.Empty;

    /// <summary>
    /// For each object read, keyed by where it starts ("file:line", as <see cref="ObjectRef.Source"/>), the
    /// line of each field ("spec.addresses[1]" → 12), so errors about a field can point at it.
    /// </summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, int>> FieldLines { get; init; } =
        ImmutableDictionary<string, ImmutableDictionary<string, int>>.Empty;

    /// <summary>"file:line" of <paramref name="field"/> in the object that starts at <paramref name="objectSource"/>; the object's own start when the field is unknown.</summary>
    public string? Locate(string? objectSource, string? field)
    {
        if (objectSource is null || field is null
            || !FieldLines.TryGetValue(objectSource, out var lines) || !lines.TryGetValue(field, out var line))
        {
            return objectSource;
        }

        var colon = objectSource.LastIndexOf(':');
        return colon < 0 ? objectSource : string.Create(CultureInfo.InvariantCulture, $"{objectSource[..colon]}:{line}");
    }

    /// <summary>Objects that were refused (wrong apiVersion, unknown or malformed fields) and left out.</summary>
    public ImmutableArray<ManifestError> Errors { get; init; } = [];

    /// <summary>Problems that make the input unusable: missing paths, unreadable files, invalid YAML or JSON.</summary>
    public ImmutableArray<ManifestError> FatalErrors { get; init; } = [];

    /// <summary>Objects of kinds plan does not use, by "Kind" or "Kind.group", as kubectl names resources.</summary>
    public ImmutableSortedDictionary<string, int> IgnoredKinds { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>
    /// Core's input, the same record <c>Mapping.ClusterIngest</c> builds from a live cluster; the caller adds
    /// the election candidates and --lb-class.
    /// </summary>
    public PlanInput Input => new() { Resources = Resources, Services = Services, Endpoints = Endpoints };

    public int FileCount { get; init; }
    public int ObjectCount { get; init; }
    public int IgnoredCount => IgnoredKinds.Values.Sum();
}
