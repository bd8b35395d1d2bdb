using k8s;

namespace IronLb.KubeSim.Tests.Support;

internal static class Clients
{
    /// <summary>The real KubernetesClient, configured from KubeSim's kubeconfig file as a user would.</summary>
    public static k8s.Kubernetes For(KubeSim api) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));

    /// <summary>MetalLB's CRDs as published (shared/ sits beside the repository, for developers and CI alike).</summary>
    public static string CrdDirectory { get; } = Path.GetFullPath(Path.Combine(IronLb.Testing.Repository.Root, "..", "shared", "upstream", "metallb-v0.16.1-crds"));


    /// <summary>Polls until <paramref name="condition"/> holds; generous deadline, never a timing assertion.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            await Task.Delay(50);
        }
    }
}
