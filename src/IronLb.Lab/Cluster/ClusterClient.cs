using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.Kubernetes.Client;

namespace IronLb.Lab.Cluster;

/// <summary>A Service of type LoadBalancer and the addresses in its status.</summary>
internal sealed record LoadBalancerService(string Namespace, string Name, IReadOnlyList<string> Ingress, int Index)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>
/// What the lab does through the real API (the same KubeConnection the controller and speaker use): server-side
/// apply of manifests, Node status, and reading Services. Works with any API server, so no kubectl is needed.
/// </summary>
internal sealed class ClusterClient(KubeConnection connection) : IDisposable
{
    private const string FieldManager = "ironlb-lab";

    // (group/version, kind) -> (plural, namespaced), from discovery, per group version as it is first needed.
    private readonly Dictionary<string, Dictionary<string, (string Plural, bool Namespaced)>> _resources = new(StringComparer.Ordinal);

    public static ClusterClient Create(string kubeconfig) => new(KubeConnection.Create(kubeconfig));

    public async Task<bool> IsServingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await connection.GetAsync("/version", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or KubeApiException)
        {
            return false;
        }
    }

    /// <summary>True once the group version is served (a CRD's resources appear after it is written).</summary>
    public async Task<bool> ServesAsync(string group, string version, string kind, CancellationToken cancellationToken)
    {
        _resources.Remove($"{group}/{version}");
        return (await ResourcesAsync(group, version, cancellationToken).ConfigureAwait(false)).ContainsKey(kind);
    }

    /// <summary>Server-side apply: creates or updates the object to match the manifest (what `kubectl apply --server-side` does).</summary>
    public async Task ApplyAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        var resources = await ResourcesAsync(manifest.Group, manifest.Version, cancellationToken).ConfigureAwait(false);
        if (!resources.TryGetValue(manifest.Kind, out var resource))
        {
            throw new InvalidDataException($"{manifest}: the API server does not serve {manifest.Kind} in {manifest.ApiVersion}");
        }

        var root = manifest.Group.Length == 0 ? $"/api/{manifest.Version}" : $"/apis/{manifest.Group}/{manifest.Version}";
        var scope = resource.Namespaced ? $"/namespaces/{manifest.Namespace ?? "default"}" : "";
        var path = $"{root}{scope}/{resource.Plural}/{manifest.Name}?fieldManager={FieldManager}&force=true";
        await connection.PatchAsync(path, manifest.Yaml, "application/apply-patch+yaml", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a kubelet reports: Ready, and the InternalIP other nodes and the API reach it on.</summary>
    public async Task SetNodeReadyAsync(string node, string internalIp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var time = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["reason"] = "KubeletReady",
                    ["message"] = "ironlb-lab: the node's namespace is up",
                    ["lastHeartbeatTime"] = time,
                    ["lastTransitionTime"] = time,
                }),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = internalIp },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node }),
            },
        };
        await connection.PatchAsync($"/api/v1/nodes/{node}/status", status.ToJsonString(), "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stands in for the kubelets and the EndpointSlice controller, which KubeSim does not run: a Service gets one
    /// ready endpoint on every node (as a DaemonSet's pods would), because a speaker announces only a Service with
    /// a serving endpoint, as MetalLB does. Skipped when the Service already has EndpointSlices (from the example).
    /// The "pod" addresses are documentation addresses that no interface holds; nothing ever sends to them.
    /// True when it wrote the slice.
    /// </summary>
    public async Task<bool> EnsureEndpointsAsync(LoadBalancerService service, IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        var selector = Uri.EscapeDataString($"kubernetes.io/service-name={service.Name}");
        using var existing = JsonDocument.Parse(await connection.GetAsync(
            $"/apis/discovery.k8s.io/v1/namespaces/{service.Namespace}/endpointslices?labelSelector={selector}", cancellationToken).ConfigureAwait(false));
        if (existing.RootElement.GetProperty("items").GetArrayLength() > 0)
        {
            return false;
        }

        var name = EndpointSliceName(service.Name);
        var slice = new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = service.Namespace,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/service-name"] = service.Name,
                    ["endpointslice.kubernetes.io/managed-by"] = FieldManager,
                },
            },
            ["addressType"] = "IPv6",
            ["endpoints"] = new JsonArray([.. nodes.Select((node, i) => (JsonNode)new JsonObject
            {
                ["addresses"] = new JsonArray((JsonNode)$"2001:db8:ff:{i + 1}::{service.Index + 1:x}"),
                ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true, ["terminating"] = false },
                ["nodeName"] = node,
            })]),
        };
        await connection.PatchAsync($"/apis/discovery.k8s.io/v1/namespaces/{service.Namespace}/endpointslices/{name}?fieldManager={FieldManager}&force=true",
            slice.ToJsonString(), "application/apply-patch+yaml", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The EndpointSlice the lab makes for a Service.</summary>
    public static string EndpointSliceName(string service) => $"{service}-ironlb-lab";

    /// <summary>Removes the lab's EndpointSlice of a Service (the garbage collector's part, which KubeSim lacks);
    /// true when there was one.</summary>
    public async Task<bool> DeleteEndpointsAsync(string ns, string service, CancellationToken cancellationToken)
    {
        try
        {
            await connection.SendAsync(HttpMethod.Delete, $"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/{EndpointSliceName(service)}", null, "application/json", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>"namespace/name" of every Service some speaker reports announcing (a ServiceL2Status, MetalLB's
    /// way of saying so), or empty while the CRD is not served.</summary>
    public async Task<HashSet<string>> AnnouncedAsync(string metallbNamespace, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await connection.GetAsync($"/apis/metallb.io/v1beta1/namespaces/{metallbNamespace}/servicel2statuses", cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return [];
        }

        using var list = JsonDocument.Parse(text);
        return [.. list.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => i.TryGetProperty("status", out var s) && s.TryGetProperty("serviceNamespace", out var ns) && s.TryGetProperty("serviceName", out var n)
                ? $"{ns.GetString()}/{n.GetString()}" : null)
            .OfType<string>()];
    }

    public async Task<List<LoadBalancerService>> LoadBalancerServicesAsync(CancellationToken cancellationToken)
    {
        using var list = JsonDocument.Parse(await connection.GetAsync("/api/v1/services", cancellationToken).ConfigureAwait(false));
        var services = new List<LoadBalancerService>();
        foreach (var item in list.RootElement.GetProperty("items").EnumerateArray())
        {
            if (!(item.TryGetProperty("spec", out var spec) && spec.TryGetProperty("type", out var type) && type.GetString() == "LoadBalancer"))
            {
                continue;
            }

            var metadata = item.GetProperty("metadata");
            var ingress = item.TryGetProperty("status", out var status) && status.TryGetProperty("loadBalancer", out var lb) && lb.TryGetProperty("ingress", out var i)
                ? i.EnumerateArray().Select(e => e.TryGetProperty("ip", out var ip) ? ip.GetString() : null).OfType<string>().ToList()
                : [];
            services.Add(new LoadBalancerService(metadata.GetProperty("namespace").GetString()!, metadata.GetProperty("name").GetString()!, ingress, services.Count));
        }

        return services;
    }

    private async Task<Dictionary<string, (string Plural, bool Namespaced)>> ResourcesAsync(string group, string version, CancellationToken cancellationToken)
    {
        var key = $"{group}/{version}";
        if (_resources.TryGetValue(key, out var known))
        {
            return known;
        }

        var found = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        try
        {
            var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            using var list = JsonDocument.Parse(await connection.GetAsync(path, cancellationToken).ConfigureAwait(false));
            foreach (var r in list.RootElement.GetProperty("resources").EnumerateArray())
            {
                var plural = r.GetProperty("name").GetString()!;
                if (!plural.Contains('/', StringComparison.Ordinal))
                {
                    found[r.GetProperty("kind").GetString()!] = (plural, r.GetProperty("namespaced").GetBoolean());
                }
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Not served (yet): an empty map, not cached below, so a later call asks again.
            return found;
        }

        _resources[key] = found;
        return found;
    }

    public void Dispose() => connection.Dispose();
}
