using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IronLb.Manifests;

/// <summary>The metadata fields plan uses, read with the same strictness as the API server's field validation.</summary>
internal sealed partial record ObjectMetadata(
    string Name,
    string? Namespace,
    ImmutableDictionary<string, string> Labels,
    ImmutableDictionary<string, string> Annotations,
    DateTimeOffset? CreationTimestamp)
{
    private static readonly FrozenSet<string> KnownFields = FrozenSet.Create(StringComparer.Ordinal,
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields");

    /// <summary>Reads metadata; returns null (with errors reported) when the object has no usable name.</summary>
    public static ObjectMetadata? Read(MappingNode root, ObjectContext context)
    {
        var metadata = context.Mapping(root, "metadata", "", required: true);
        if (metadata is null)
        {
            return null;
        }

        context.RejectUnknown(metadata, "metadata", KnownFields);
        var name = context.String(metadata, "name", "metadata", required: true);
        var ns = context.String(metadata, "namespace", "metadata");
        if (name is not null && !IsDnsSubdomain(name))
        {
            context.Error(metadata["name"], $"metadata.name: \"{name}\" is not a valid name (lowercase letters, digits, '-' and '.', at most 253 characters)");
        }

        if (ns is not null && !IsDnsLabel(ns))
        {
            context.Error(metadata["namespace"], $"metadata.namespace: \"{ns}\" is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters)");
        }

        var labels = context.StringMap(metadata, "labels", "metadata");
        var annotations = context.StringMap(metadata, "annotations", "metadata");
        DateTimeOffset? created = null;
        if (context.String(metadata, "creationTimestamp", "metadata") is { } stamp)
        {
            if (DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                created = parsed;
            }
            else
            {
                context.Error(metadata["creationTimestamp"], $"metadata.creationTimestamp: \"{stamp}\" is not an RFC 3339 time");
            }
        }

        return name is null ? null : new ObjectMetadata(name, ns, labels, annotations, created);
    }

    public static bool IsDnsSubdomain(string value) => value.Length <= 253 && DnsSubdomain().IsMatch(value);

    public static bool IsDnsLabel(string value) => value.Length <= 63 && DnsLabel().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();
}
