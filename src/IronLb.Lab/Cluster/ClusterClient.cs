using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Lab.Cluster;

/// <summary>A Service of type LoadBalancer and the addresses in its status.</summary>
internal sealed record LoadBalancerService(string Namespace, string Name, IReadOnlyList<string> Ingress, int Index)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>
/// What the lab does through the real API (the same typed client the controller and speaker use): server-side
/// apply of manifests, Node status, and reading Services. Works with any API server, so no kubectl is needed.
/// </summary>
internal sealed class ClusterClient(KubeConnection connection) : IDisposable
{
    private const string FieldManager = "ironlb-lab";

    private readonly DynamicClient _dynamic = new(connection);
    private readonly ResourceClient<V1Node> _nodes = new(connection, ResourceTypes.Nodes);
    private readonly ResourceClient<V1Service> _services = new(connection, ResourceTypes.Services);
    private readonly ResourceClient<V1EndpointSlice> _slices = new(connection, ResourceTypes.EndpointSlices);

    // group/version -> kind -> resource, from discovery, per group version as it is first needed.
    private readonly Dictionary<string, IReadOnlyDictionary<string, ApiResource>> _resources = new(StringComparer.Ordinal);

    public static ClusterClient Create(string kubeconfig) => new(KubeConnection.Create(kubeconfig));

    public Task<bool> IsServingAsync(CancellationToken cancellationToken) => _dynamic.IsServingAsync(cancellationToken);

    /// <summary>True once the group version is served (a CRD's resources appear after it is written).</summary>
    public async Task<bool> ServesAsync(string group, string version, string kind, CancellationToken cancellationToken)
    {
        var groupVersion = GroupVersion(group, version);
        _resources.Remove(groupVersion);
        return (await ResourcesAsync(groupVersion, cancellationToken).ConfigureAwait(false)).ContainsKey(kind);
    }

    /// <summary>Server-side apply: creates or updates the object to match the manifest (what `kubectl apply --server-side` does).</summary>
    public async Task ApplyAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        var resources = await ResourcesAsync(manifest.ApiVersion, cancellationToken).ConfigureAwait(false);
        if (!resources.TryGetValue(manifest.Kind, out var resource))
        {
            throw new InvalidDataException($"{manifest}: the API server does not serve {manifest.Kind} in {manifest.ApiVersion}");
        }

        await _dynamic.ApplyAsync(resource, manifest.Namespace, manifest.Name, manifest.Yaml, FieldManager, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a kubelet reports: Ready, and the InternalIP other nodes and the API reach it on.</summary>
    public async Task SetNodeReadyAsync(string node, string internalIp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Whole seconds, as a kubelet writes them.
        var time = new DateTime(now.UtcDateTime.Ticks - (now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var status = new V1Node
        {
            Status = new V1NodeStatus
            {
                Conditions =
                [
                    new V1NodeCondition
                    {
                        Type = "Ready",
                        Status = "True",
                        Reason = "KubeletReady",
                        Message = "ironlb-lab: the node's namespace is up",
                        LastHeartbeatTime = time,
                        LastTransitionTime = time,
                    },
                ],
                Addresses =
                [
                    new V1NodeAddress { Type = "InternalIP", Address = internalIp },
                    new V1NodeAddress { Type = "Hostname", Address = node },
                ],
            },
        };
        await _nodes.PatchStatusAsync(null, node, status, cancellationToken).ConfigureAwait(false);
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
        var existing = await _slices.ListAsync(service.Namespace, $"kubernetes.io/service-name={service.Name}", cancellationToken).ConfigureAwait(false);
        if (existing.Items.Count > 0)
        {
            return false;
        }

        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = EndpointSliceName(service.Name),
                NamespaceProperty = service.Namespace,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/service-name"] = service.Name,
                    ["endpointslice.kubernetes.io/managed-by"] = FieldManager,
                },
            },
            AddressType = "IPv6",
            Endpoints = [.. nodes.Select((node, i) => new V1Endpoint
            {
                Addresses = [$"2001:db8:ff:{i + 1}::{service.Index + 1:x}"],
                Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
                NodeName = node,
            })],
        };
        await _slices.ApplyAsync(slice, FieldManager, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The EndpointSlice the lab makes for a Service.</summary>
    public static string EndpointSliceName(string service) => $"{service}-ironlb-lab";

    /// <summary>Removes the lab's EndpointSlice of a Service (the garbage collector's part, which KubeSim lacks);
    /// true when there was one.</summary>
    public Task<bool> DeleteEndpointsAsync(string ns, string service, CancellationToken cancellationToken) =>
        _slices.DeleteAsync(ns, EndpointSliceName(service), cancellationToken);

    /// <summary>"namespace/name" of every Service some speaker reports announcing (a ServiceL2Status, MetalLB's
    /// way of saying so), or empty while the CRD is not served.</summary>
    public async Task<HashSet<string>> AnnouncedAsync(string metallbNamespace, CancellationToken cancellationToken)
    {
        ResourceList<ServiceL2StatusObject> list;
        try
        {
            list = await new ResourceClient<ServiceL2StatusObject>(connection, ResourceTypes.ServiceL2Statuses(metallbNamespace)).ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return [];
        }

        return [.. list.Items
            .Select(i => i.Status is { ServiceNamespace: { } ns, ServiceName: { } name } ? $"{ns}/{name}" : null)
            .OfType<string>()];
    }

    public async Task<List<LoadBalancerService>> LoadBalancerServicesAsync(CancellationToken cancellationToken)
    {
        var list = await _services.ListAsync(cancellationToken).ConfigureAwait(false);
        var services = new List<LoadBalancerService>();
        foreach (var item in list.Items.Where(s => s.Spec?.Type == "LoadBalancer"))
        {
            var ingress = item.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).OfType<string>().ToList() ?? [];
            services.Add(new LoadBalancerService(item.Metadata.NamespaceProperty, item.Metadata.Name, ingress, services.Count));
        }

        return services;
    }

    private static string GroupVersion(string group, string version) => group.Length == 0 ? version : $"{group}/{version}";

    private async Task<IReadOnlyDictionary<string, ApiResource>> ResourcesAsync(string groupVersion, CancellationToken cancellationToken)
    {
        if (_resources.TryGetValue(groupVersion, out var known))
        {
            return known;
        }

        var found = await _dynamic.ResourcesAsync(groupVersion, cancellationToken).ConfigureAwait(false);

        // Not served (yet): not cached, so a later call asks again.
        if (found.Count > 0)
        {
            _resources[groupVersion] = found;
        }

        return found;
    }

    public void Dispose() => connection.Dispose();
}
