using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.Kubernetes.Informers;

namespace IronLb.Kubernetes.Client;

/// <summary>The items of a list and the resourceVersion a watch would continue from.</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion);

/// <summary>
/// Typed requests for one kind: get, list, create, replace, merge patches of metadata or status, server-side
/// apply and delete, over the connection's HTTP client. Paths come from <see cref="ApiResource"/> and JSON
/// from the kind's <see cref="ResourceType{T}"/>, so callers name objects, never URLs. Failures surface as
/// <see cref="KubeApiException"/>; "not found" is a value where a caller has a use for it.
/// </summary>
public sealed class ResourceClient<T>(KubeConnection connection, ResourceType<T> type)
    where T : class
{
    private const string JsonType = "application/json";
    private const string MergePatchType = "application/merge-patch+json";

    // The apply body is JSON under the YAML media type, as kubectl and client-go send it.
    private const string ApplyPatchType = "application/apply-patch+yaml";

    public ResourceType<T> Type => type;

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync(string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return type.Parse(await connection.GetAsync(type.Resource.ObjectPath(ns, name), cancellationToken).ConfigureAwait(false));
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Lists <paramref name="ns"/> (the kind's own scope when null), optionally by label selector.</summary>
    public Task<ResourceList<T>> ListAsync(string? ns, string? labelSelector, CancellationToken cancellationToken) =>
        ListAsync(ns, labelSelector, null, cancellationToken);

    /// <summary>
    /// Lists <paramref name="ns"/> (the kind's own scope when null), optionally by label and field selectors, in pages of
    /// <see cref="PageSize"/> as client-go's reflector does: the API server never builds, and this process never holds,
    /// the answer for a whole big collection at once. The pages form one list at the first page's resourceVersion.
    /// When the continue token expires between pages (the server compacted past it), the list is read again whole,
    /// as client-go's pager falls back.
    /// </summary>
    public async Task<ResourceList<T>> ListAsync(string? ns, string? labelSelector, string? fieldSelector, CancellationToken cancellationToken)
    {
        var collection = type.Resource.CollectionPath(ns ?? type.Namespace);
        var selectors = new[] { ("labelSelector", labelSelector), ("fieldSelector", fieldSelector) }
            .Where(q => !string.IsNullOrEmpty(q.Item2))
            .Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}")
            .ToList();
        var items = new List<T>();
        string? next = null;
        var first = "";
        do
        {
            ListPageMetadata page;
            try
            {
                page = await PageAsync(collection, selectors, PageSize, next, items, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsGone && next is not null)
            {
                items.Clear();
                first = "";
                page = await PageAsync(collection, selectors, 0, null, items, cancellationToken).ConfigureAwait(false);
            }

            first = first.Length == 0 ? page.ResourceVersion : first;
            next = page.Continue;
        }
        while (next is not null);

        return new ResourceList<T>(items, first);
    }

    /// <summary>Items per list page: client-go's default.</summary>
    public const int PageSize = 500;

    private async Task<ListPageMetadata> PageAsync(string collection, List<string> selectors, int limit, string? next, List<T> into, CancellationToken cancellationToken)
    {
        var query = new List<string>(selectors);
        if (limit > 0)
        {
            query.Add($"limit={limit}");
        }

        if (next is not null)
        {
            query.Add($"continue={Uri.EscapeDataString(next)}");
        }

        var path = query.Count == 0 ? collection : $"{collection}?{string.Join('&', query)}";
        var body = await connection.GetUtf8Async(path, cancellationToken).ConfigureAwait(false);
        return ListPageReader.Read(body, collection, type.ParseUtf8, into);
    }

    public Task<ResourceList<T>> ListAsync(CancellationToken cancellationToken) => ListAsync(null, null, cancellationToken);

    /// <summary>Creates the object in its metadata's namespace (generateName works); 409 when it exists.</summary>
    public async Task<T> CreateAsync(T item, CancellationToken cancellationToken)
    {
        var text = await connection.PostAsync(type.Resource.CollectionPath(NamespaceOf(item)), type.Serialize(item), cancellationToken).ConfigureAwait(false);
        return type.Parse(text);
    }

    /// <summary>Replaces the object; its resourceVersion makes this a compare-and-swap (409 when someone wrote first).</summary>
    public async Task<T> ReplaceAsync(T item, CancellationToken cancellationToken)
    {
        var meta = type.Metadata(item);
        var text = await connection.PutAsync(type.Resource.ObjectPath(NamespaceOf(item), meta.Name), type.Serialize(item), cancellationToken).ConfigureAwait(false);
        return type.Parse(text);
    }

    /// <summary>Replaces the status subresource (with the Service status strategy this carries metadata changes too).</summary>
    public async Task<T> ReplaceStatusAsync(T item, CancellationToken cancellationToken)
    {
        var meta = type.Metadata(item);
        var text = await connection.PutAsync(type.Resource.StatusPath(NamespaceOf(item), meta.Name), type.Serialize(item), cancellationToken).ConfigureAwait(false);
        return type.Parse(text);
    }

    /// <summary>Merges <paramref name="changes"/>' metadata (labels, annotations, owners) into the object; nothing else is sent.</summary>
    public Task<T> PatchMetadataAsync(string? ns, string name, T changes, CancellationToken cancellationToken) =>
        PatchPartAsync(type.Resource.ObjectPath(ns, name), "metadata", changes, [], cancellationToken);

    /// <summary>Merges <paramref name="changes"/>' status into the status subresource; nothing else is sent.</summary>
    public Task<T> PatchStatusAsync(string? ns, string name, T changes, CancellationToken cancellationToken) =>
        PatchPartAsync(type.Resource.StatusPath(ns, name), "status", changes, [], cancellationToken);

    /// <summary>
    /// As <see cref="PatchStatusAsync(string?, string, T, CancellationToken)"/>, and removes the status fields named in
    /// <paramref name="removed"/> that <paramref name="changes"/> leaves out. A merge patch leaves a field it omits as it
    /// is, so the serializer's dropped nulls cannot clear anything; an explicit null is what deletes it.
    /// </summary>
    public Task<T> PatchStatusAsync(string? ns, string name, T changes, IReadOnlyCollection<string> removed, CancellationToken cancellationToken) =>
        PatchPartAsync(type.Resource.StatusPath(ns, name), "status", changes, removed, cancellationToken);

    /// <summary>
    /// Server-side apply with <paramref name="fieldManager"/>, taking over conflicting fields: creates the object
    /// when it is absent and otherwise makes the fields this manager owns equal to <paramref name="item"/>.
    /// </summary>
    public async Task<T> ApplyAsync(T item, string fieldManager, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(type.Serialize(item))?.AsObject() ?? throw new JsonException("an object serialized to nothing");
        body["apiVersion"] = type.Resource.GroupVersion;
        body["kind"] = type.Resource.Kind;
        var meta = type.Metadata(item);
        var path = $"{type.Resource.ObjectPath(NamespaceOf(item), meta.Name)}?fieldManager={Uri.EscapeDataString(fieldManager)}&force=true";
        return type.Parse(await connection.PatchAsync(path, body.ToJsonString(), ApplyPatchType, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Deletes the object; false when it was gone already.</summary>
    public async Task<bool> DeleteAsync(string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await connection.SendAsync(HttpMethod.Delete, type.Resource.ObjectPath(ns, name), null, JsonType, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    private async Task<T> PatchPartAsync(string path, string part, T changes, IReadOnlyCollection<string> removed, CancellationToken cancellationToken)
    {
        var value = JsonNode.Parse(type.Serialize(changes))?[part] as JsonObject
            ?? throw new ArgumentException($"the object has no {part} to patch", nameof(changes));
        foreach (var field in removed.Where(f => !value.ContainsKey(f)))
        {
            value[field] = null;
        }

        var patch = new JsonObject { [part] = value.DeepClone() }.ToJsonString();
        return type.Parse(await connection.PatchAsync(path, patch, MergePatchType, cancellationToken).ConfigureAwait(false));
    }

    private string? NamespaceOf(T item) => type.Metadata(item).Namespace is { Length: > 0 } ns ? ns : type.Namespace;
}
