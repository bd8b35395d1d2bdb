using System.Text.Json;
using k8s;
using k8s.Models;

namespace IronLb.Deploy.Tests.Smoke;

/// <summary>
/// KubeSim as the image's binary meets a cluster: RBAC enforced, deploy/crds and deploy/rbac installed as `kubectl
/// apply -k deploy` would, and each component given a kubeconfig with its own ServiceAccount's token over HTTPS, so
/// the binary's TLS (OpenSSL, the kubeconfig's certificate authority) is on the path too. Bookmarks come every
/// second, so every watch carries some. The test writes objects as the cluster's admin.
/// </summary>
internal sealed class SmokeCluster : IAsyncDisposable
{
    public const string Namespace = "metallb-system";

    private SmokeCluster(KubeSim.KubeSim api, k8s.Kubernetes admin)
    {
        Api = api;
        Admin = admin;
    }

    public KubeSim.KubeSim Api { get; }

    public k8s.Kubernetes Admin { get; }

    public static async Task<SmokeCluster> StartAsync(params string[] namespaces)
    {
        var api = await KubeSim.KubeSim.StartAsync(
            new KubeSim.KubeSimOptions { EnforceRbac = true, BookmarkInterval = TimeSpan.FromSeconds(1) },
            TestContext.Current.CancellationToken);
        foreach (var crd in Directory.EnumerateFiles(Path.Combine(RepoPaths.Deploy, "crds"), "*.yaml").Order(StringComparer.Ordinal))
        {
            api.CreateFromYaml(await File.ReadAllTextAsync(crd, TestContext.Current.CancellationToken));
        }

        foreach (var ns in namespaces.Prepend(Namespace))
        {
            api.EnsureNamespace(ns);
        }

        foreach (var rbac in Directory.EnumerateFiles(Path.Combine(RepoPaths.Deploy, "rbac"), "*.yaml").Order(StringComparer.Ordinal))
        {
            api.CreateFromYaml(await File.ReadAllTextAsync(rbac, TestContext.Current.CancellationToken));
        }

        return new SmokeCluster(api, new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig)));
    }

    /// <summary>A kubeconfig acting as deploy/'s ServiceAccount <paramref name="account"/>, over HTTPS to <paramref name="server"/> (default: KubeSim's own port).</summary>
    public string KubeconfigFor(string account, Uri? server = null) =>
        Api.WriteKubeconfigFor(Namespace, account, server: server ?? Api.SecureBaseUrl);

    public Task CreatePoolAsync(string name, string cidr, bool autoAssign) =>
        Admin.CreateNamespacedCustomObjectAsync(
            $$$"""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"{{{name}}}"},"spec":{"addresses":["{{{cidr}}}"],"autoAssign":{{{(autoAssign ? "true" : "false")}}}}}""",
            "metallb.io", "v1beta1", Namespace, "ipaddresspools", TestContext.Current.CancellationToken);

    public Task CreateAdvertisementAsync(string name, string pool, string iface) =>
        Admin.CreateNamespacedCustomObjectAsync(
            $$$"""{"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"{{{name}}}"},"spec":{"ipAddressPools":["{{{pool}}}"],"interfaces":["{{{iface}}}"]}}""",
            "metallb.io", "v1beta1", Namespace, "l2advertisements", TestContext.Current.CancellationToken);

    /// <summary>A ready Node with <paramref name="internalIp"/>, as the kubelet would report it.</summary>
    public async Task CreateNodeAsync(string name, string internalIp)
    {
        var ct = TestContext.Current.CancellationToken;
        await Admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } } }, cancellationToken: ct);
        var status = $$$"""{"status":{"conditions":[{"type":"Ready","status":"True"}],"addresses":[{"type":"InternalIP","address":"{{{internalIp}}}"}]}}""";
        await Admin.CoreV1.PatchNodeStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), name, cancellationToken: ct);
    }

    public Task CreateServiceAsync(string ns, string name) =>
        Admin.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }] },
            },
            ns,
            cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>The Service's status as a controller would have written it, and a ready endpoint on <paramref name="node"/>.</summary>
    public async Task AssignAsync(string ns, string name, string ip, string node)
    {
        var ct = TestContext.Current.CancellationToken;
        await Admin.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch($$$$"""{"status":{"loadBalancer":{"ingress":[{"ip":"{{{{ip}}}}"}]}}}""", V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct);
        await Admin.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = name + "-smoke", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Endpoints = [new V1Endpoint { Addresses = ["203.0.113.200"], NodeName = node, Conditions = new V1EndpointConditions { Ready = true } }],
            },
            ns,
            cancellationToken: ct);
    }

    /// <summary>The addresses in the Service's status.loadBalancer.ingress.</summary>
    public async Task<IReadOnlyList<string>> IngressAsync(string ns, string name)
    {
        var service = await Admin.CoreV1.ReadNamespacedServiceStatusAsync(name, ns, cancellationToken: TestContext.Current.CancellationToken);
        return [.. service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip) ?? []];
    }

    /// <summary>The nodes that have a ServiceL2Status for the Service.</summary>
    public async Task<IReadOnlyList<string>> AnnouncingNodesAsync(string ns, string name)
    {
        var list = (JsonElement)await Admin.CustomObjects.ListNamespacedCustomObjectAsync(
            "metallb.io", "v1beta1", Namespace, "servicel2statuses", cancellationToken: TestContext.Current.CancellationToken);
        return
        [
            .. list.GetProperty("items").EnumerateArray()
                .Select(o => o.TryGetProperty("status", out var status) ? status : default)
                .Where(s => s.ValueKind == JsonValueKind.Object && Text(s, "serviceNamespace") == ns && Text(s, "serviceName") == name)
                .Select(s => Text(s, "node") ?? ""),
        ];
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Api.DisposeAsync();
    }
}
