using k8s;

namespace IronLb.KubeSim.Tests.Support;

internal static class Clients
{
    /// <summary>The real KubernetesClient, configured from KubeSim's kubeconfig file as a user would.</summary>
    public static k8s.Kubernetes For(KubeSim api) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));

    /// <summary>MetalLB's CRDs as published (shared/ sits beside the repository, for developers and CI alike).</summary>
    public static string CrdDirectory { get; } = Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "upstream", "metallb-v0.16.1-crds"));
}
