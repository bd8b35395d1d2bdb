namespace IronLb.Kubernetes.Informers;

/// <summary>How to list, watch and read one kind: the collection path and the object parser.</summary>
/// <param name="Name">A short name for logs ("services").</param>
/// <param name="ListPath">The collection path, e.g. "api/v1/services" or a namespaced CRD collection.</param>
/// <param name="Parse">Object JSON to the typed object.</param>
/// <param name="Metadata">Namespace, name and resourceVersion of a parsed object.</param>
public sealed record ResourceType<T>(
    string Name,
    string ListPath,
    Func<string, T> Parse,
    Func<T, ObjectMeta> Metadata)
    where T : class;

/// <summary>The identity and version of an object.</summary>
public readonly record struct ObjectMeta(string? Namespace, string Name, string ResourceVersion)
{
    /// <summary>"namespace/name", or "name" for cluster-scoped objects: the cache and queue key.</summary>
    public string Key => string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}/{Name}";
}
