using IronLb.Kubernetes.Client;

namespace IronLb.Kubernetes.Tests.Support;

/// <summary>KubeSim with MetalLB's namespace and the named CRDs of deploy/crds installed and served, and a direct connection to it.</summary>
internal sealed class MetalLbCluster : IAsyncDisposable
{
    public const string Ns = "metallb-system";

    private readonly KubeSim.KubeSim _api;

    private MetalLbCluster(KubeSim.KubeSim api)
    {
        _api = api;
        Direct = new KubeConnection(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        Dynamic = new DynamicClient(Direct);
    }

    public KubeConnection Direct { get; }

    public DynamicClient Dynamic { get; }

    /// <param name="cancellationToken">The test's.</param>
    /// <param name="crds">Each CRD as deploy/crds/metallb.io_PLURAL.yaml, with the group version and kind whose serving the start waits for.</param>
    public static async Task<MetalLbCluster> StartAsync(CancellationToken cancellationToken, params (string Plural, string GroupVersion, string Kind)[] crds)
    {
        var cluster = new MetalLbCluster(await KubeSim.KubeSim.StartAsync(cancellationToken: cancellationToken));
        await cluster.ApplyAsync(new ApiResource("v1", "namespaces", "Namespace", false), Ns, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + Ns + "\"}}", cancellationToken);
        var definitions = new ApiResource("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false);
        foreach (var (plural, groupVersion, kind) in crds)
        {
            var file = Path.Combine(IronLb.Testing.Repository.Root, "deploy", "crds", $"metallb.io_{plural}.yaml");
            // The document itself, without the file's header comments and document marker.
            var yaml = string.Join('\n', (await File.ReadAllLinesAsync(file, cancellationToken)).SkipWhile(l => l.StartsWith('#') || l.Trim() is "" or "---"));
            await cluster.Dynamic.ApplyAsync(definitions, null, $"{plural}.metallb.io", yaml, "test", cancellationToken);
            await Eventually.UntilAsync(() => cluster.Dynamic.ResourcesAsync(groupVersion, cancellationToken), r => r.ContainsKey(kind), $"the {kind} CRD served at {groupVersion}");
        }

        return cluster;
    }

    /// <summary>Applies one object (JSON or YAML) the way kubectl apply --server-side does.</summary>
    public Task ApplyAsync(ApiResource resource, string name, string manifest, CancellationToken cancellationToken) =>
        Dynamic.ApplyAsync(resource, Ns, name, manifest, "test", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Direct.Dispose();
        await _api.DisposeAsync();
    }
}
