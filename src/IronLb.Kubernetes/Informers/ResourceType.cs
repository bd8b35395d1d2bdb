using IronLb.Kubernetes.Client;

namespace IronLb.Kubernetes.Informers;

/// <summary>How to reach, read and write one kind: where it is served, and its JSON both ways.</summary>
/// <param name="Resource">Group version, plural, kind and scope: every path comes from it.</param>
/// <param name="Namespace">The namespace lists and watches cover; null for all namespaces or a cluster-scoped kind.</param>
/// <param name="Parse">Object JSON to the typed object.</param>
/// <param name="Serialize">The typed object to JSON (source-generated for our CRDs).</param>
/// <param name="Metadata">Namespace, name and resourceVersion of a parsed object.</param>
/// <param name="ParseUtf8">Object JSON as UTF-8 bytes to the typed object, as <paramref name="Parse"/> refuses: a list's items are read in place, never copied into strings.</param>
public sealed record ResourceType<T>(
    ApiResource Resource,
    string? Namespace,
    Func<string, T> Parse,
    Func<T, string> Serialize,
    Func<T, ObjectMeta> Metadata,
    Utf8Parser<T> ParseUtf8)
    where T : class
{
    /// <summary>A short name for logs ("services").</summary>
    public string Name => Resource.Plural;

    /// <summary>The collection lists and watches read.</summary>
    public string ListPath => Resource.CollectionPath(Namespace);
}

/// <summary>Reads one object from its UTF-8 JSON; throws only <see cref="System.Text.Json.JsonException"/>.</summary>
public delegate T Utf8Parser<out T>(ReadOnlySpan<byte> json);

/// <summary>The identity and version of an object.</summary>
public readonly record struct ObjectMeta(string? Namespace, string Name, string ResourceVersion)
{
    /// <summary>"namespace/name", or "name" for cluster-scoped objects: the cache and queue key.</summary>
    public string Key => string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}/{Name}";
}
