namespace IronLb.KubeSim.Tests.Support;

internal static class Sim
{
    public static Task<KubeSim> StartAsync(KubeSimOptions? options = null) =>
        KubeSim.StartAsync(options, TestContext.Current.CancellationToken);
}
