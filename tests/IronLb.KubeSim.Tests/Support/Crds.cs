using k8s;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Support;

internal static class Crds
{
    /// <summary>Creates MetalLB's v0.16.1 CRDs through the API, as <c>kubectl apply -f</c> would.</summary>
    public static async Task InstallMetalLbAsync(k8s.Kubernetes client)
    {
        foreach (var file in Directory.GetFiles(Clients.CrdDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    public static async Task CreateNamespaceAsync(k8s.Kubernetes client, string name) =>
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } },
            cancellationToken: TestContext.Current.CancellationToken);
}
