namespace IronLb.Speaker.Cluster;

/// <summary>Labels and annotations as the Kubernetes models hold them (IDictionary, possibly null).</summary>
internal static class MetadataExtensions
{
    public static string? Value(this IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;
}
