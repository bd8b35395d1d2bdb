namespace IronLb.Kubernetes.Client;

/// <summary>
/// One kind as the API server serves it, and the only place request paths are spelled: every read and write
/// of IronLB builds its URL here, so no host ever writes "api/v1/…" by hand.
/// </summary>
/// <param name="GroupVersion">"v1" for the core group, else "group/version" ("metallb.io/v1beta1").</param>
/// <param name="Plural">The resource name in paths ("services").</param>
/// <param name="Kind">The object kind ("Service"), which server-side apply bodies must carry.</param>
/// <param name="Namespaced">False for cluster-scoped kinds (Nodes, Namespaces).</param>
public sealed record ApiResource(string GroupVersion, string Plural, string Kind, bool Namespaced)
{
    /// <summary>The collection: of one namespace, or of all namespaces when <paramref name="ns"/> is null or empty.</summary>
    public string CollectionPath(string? ns) =>
        Namespaced && !string.IsNullOrEmpty(ns) ? $"{Root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{Root}/{Plural}";

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";

    public string StatusPath(string? ns, string name) => $"{ObjectPath(ns, name)}/status";

    /// <summary>The core group lives under /api, every other group under /apis.</summary>
    private string Root => GroupVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{GroupVersion}" : $"api/{GroupVersion}";

    /// <summary>The discovery document listing the kinds of <paramref name="groupVersion"/>.</summary>
    public static string DiscoveryPath(string groupVersion) =>
        groupVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{groupVersion}" : $"api/{groupVersion}";
}
