using System.Text.Json;

namespace IronLb.Kubernetes.Client;

/// <summary>
/// Objects whose kind is known only at run time, such as manifests read from files: whether the server is up,
/// which kinds a group version serves (from discovery, so a CRD's kinds appear once it is established), and
/// server-side apply of a manifest as it is.
/// </summary>
public sealed class DynamicClient(KubeConnection connection)
{
    private const string ApplyPatchType = "application/apply-patch+yaml";

    /// <summary>True when the API server answers at all (its /version).</summary>
    public async Task<bool> IsServingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await connection.GetAsync("version", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or KubeApiException)
        {
            return false;
        }
    }

    /// <summary>The kinds served in <paramref name="groupVersion"/> by kind; empty while it is not served.</summary>
    public async Task<IReadOnlyDictionary<string, ApiResource>> ResourcesAsync(string groupVersion, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ApiResource>(StringComparer.Ordinal);
        string text;
        try
        {
            text = await connection.GetAsync(ApiResource.DiscoveryPath(groupVersion), cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return found;
        }

        using var list = JsonDocument.Parse(text);
        foreach (var r in list.RootElement.GetProperty("resources").EnumerateArray())
        {
            var plural = r.GetProperty("name").GetString() ?? "";

            // Subresources ("services/status") are listed beside their kinds.
            if (plural.Length > 0 && !plural.Contains('/', StringComparison.Ordinal))
            {
                var kind = r.GetProperty("kind").GetString() ?? "";
                found[kind] = new ApiResource(groupVersion, plural, kind, r.GetProperty("namespaced").GetBoolean());
            }
        }

        return found;
    }

    /// <summary>Server-side apply of a manifest's JSON or YAML text, taking over conflicting fields (`kubectl apply --server-side --force-conflicts`).</summary>
    public Task ApplyAsync(ApiResource resource, string? ns, string name, string manifest, string fieldManager, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var path = $"{resource.ObjectPath(resource.Namespaced ? ns ?? "default" : null, name)}?fieldManager={Uri.EscapeDataString(fieldManager)}&force=true";
        return connection.PatchAsync(path, manifest, ApplyPatchType, cancellationToken);
    }
}
