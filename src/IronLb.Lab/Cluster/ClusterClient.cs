using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Lab.Cluster;

/// <summary>A pod as its Service's EndpointSlices name it.</summary>
internal sealed record PodEndpoint(string Name, string Node, string V4, string V6);

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

    /// <summary>
    /// What a kubelet and kube-controller-manager's node IPAM would write: Ready, an InternalIP per family (IPv4
    /// first, as a dual-stack kubelet lists them) and the node's pod ranges as spec.podCIDR/podCIDRs (IPv4 first).
    /// </summary>
    public async Task SetNodeReadyAsync(string node, IReadOnlyList<string> internalIps, IReadOnlyList<string> podCidrs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (podCidrs.Count > 0)
        {
            // Its own field manager: the example's Node (applied as "ironlb-lab") keeps its labels.
            var spec = new V1Node
            {
                Metadata = new V1ObjectMeta { Name = node },
                Spec = new V1NodeSpec { PodCIDR = podCidrs[0], PodCIDRs = [.. podCidrs] },
            };
            await _nodes.ApplyAsync(spec, FieldManager + "-ipam", cancellationToken).ConfigureAwait(false);
        }

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
                    .. internalIps.Select(ip => new V1NodeAddress { Type = "InternalIP", Address = ip }),
                    new V1NodeAddress { Type = "Hostname", Address = node },
                ],
            },
        };
        await _nodes.PatchStatusAsync(null, node, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stands in for the kubelets and the EndpointSlice controller, which KubeSim does not run: a Service gets one
    /// ready endpoint on every node (as a DaemonSet's pods would), because a speaker announces only a Service with
    /// a serving endpoint, as MetalLB does. The "pod" addresses are documentation addresses that no interface
    /// holds; nothing ever sends to them. True when it wrote the slice.
    /// </summary>
    public Task<bool> EnsureEndpointsAsync(LoadBalancerService service, IReadOnlyList<string> nodes, CancellationToken cancellationToken) =>
        EnsureSlicesAsync(service.Namespace, service.Name,
        [
            Slice(service.Namespace, EndpointSliceName(service.Name), service.Name, "IPv6", nodes.Select((node, i) => new V1Endpoint
            {
                Addresses = [$"2001:db8:ff:{i + 1}::{service.Index + 1:x}"],
                Conditions = Ready,
                NodeName = node,
            })),
        ], cancellationToken);

    /// <summary>
    /// The slices of a Service whose pods the lab runs, one per family as Kubernetes writes them: each pod's address,
    /// its node, ready, and a reference to the Pod. True when it wrote one.
    /// </summary>
    public Task<bool> EnsurePodEndpointsAsync(string ns, string service, IReadOnlyList<PodEndpoint> pods, CancellationToken cancellationToken) =>
        EnsureSlicesAsync(ns, service,
        [
            .. new[] { ("IPv4", "ipv4"), ("IPv6", "ipv6") }.Select(family => Slice(ns, $"{EndpointSliceName(service)}-{family.Item2}", service, family.Item1,
                pods.Select(pod => new V1Endpoint
                {
                    Addresses = [family.Item1 == "IPv4" ? pod.V4 : pod.V6],
                    Conditions = Ready,
                    NodeName = pod.Node,
                    TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = ns, Name = pod.Name },
                }))),
        ], cancellationToken);

    /// <summary>
    /// Writes those of <paramref name="slices"/> that are missing, unless the Service has EndpointSlices the lab did
    /// not write (by hand, or from the example): those are left alone, and so is the Service.
    /// </summary>
    private async Task<bool> EnsureSlicesAsync(string ns, string service, IReadOnlyList<V1EndpointSlice> slices, CancellationToken cancellationToken)
    {
        var existing = await _slices.ListAsync(ns, $"kubernetes.io/service-name={service}", cancellationToken).ConfigureAwait(false);
        if (existing.Items.Any(s => s.Metadata.Labels is not { } labels || !labels.TryGetValue(ManagedBy, out var by) || by != FieldManager))
        {
            return false;
        }

        var wrote = false;
        foreach (var slice in slices.Where(s => !existing.Items.Any(e => e.Metadata.Name == s.Metadata.Name)))
        {
            await _slices.ApplyAsync(slice, FieldManager, cancellationToken).ConfigureAwait(false);
            wrote = true;
        }

        return wrote;
    }

    private const string ManagedBy = "endpointslice.kubernetes.io/managed-by";

    private static V1EndpointConditions Ready => new() { Ready = true, Serving = true, Terminating = false };

    private static V1EndpointSlice Slice(string ns, string name, string service, string addressType, IEnumerable<V1Endpoint> endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/service-name"] = service,
                [ManagedBy] = FieldManager,
            },
        },
        AddressType = addressType,
        Endpoints = [.. endpoints],
    };

    /// <summary>The EndpointSlice the lab makes for a Service without pods; a Service with pods gets NAME-ipv4 and NAME-ipv6.</summary>
    public static string EndpointSliceName(string service) => $"{service}-ironlb-lab";

    /// <summary>Every slice name the lab may have written for a Service.</summary>
    public static IEnumerable<string> EndpointSliceNames(string service) =>
        [EndpointSliceName(service), $"{EndpointSliceName(service)}-ipv4", $"{EndpointSliceName(service)}-ipv6"];

    /// <summary>Removes the lab's EndpointSlices of a Service (the garbage collector's part, which KubeSim lacks);
    /// true when there was one.</summary>
    public async Task<bool> DeleteEndpointsAsync(string ns, string service, CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var name in EndpointSliceNames(service))
        {
            any |= await _slices.DeleteAsync(ns, name, cancellationToken).ConfigureAwait(false);
        }

        return any;
    }

    /// <summary>A Service's EndpointSlices, by the label Kubernetes puts on them.</summary>
    public async Task<List<V1EndpointSlice>> EndpointSlicesAsync(string ns, string service, CancellationToken cancellationToken) =>
        [.. (await _slices.ListAsync(ns, $"kubernetes.io/service-name={service}", cancellationToken).ConfigureAwait(false)).Items];

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
