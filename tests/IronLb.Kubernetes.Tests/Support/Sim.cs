using IronLb.Kubernetes.Client;
using k8s;

namespace IronLb.Kubernetes.Tests.Support;

/// <summary>KubeSim and a connection to it through <see cref="ApiFaults"/>.</summary>
internal sealed class Sim : IAsyncDisposable
{
    private Sim(KubeSim.KubeSim api, KubeConnection connection, ApiFaults faults)
    {
        Api = api;
        Connection = connection;
        Faults = faults;
    }

    public KubeSim.KubeSim Api { get; }

    public KubeConnection Connection { get; }

    public ApiFaults Faults { get; }

    /// <param name="clientTime">The time the faults record requests in (the client's).</param>
    /// <param name="options">KubeSim's options (its own time, history size).</param>
    /// <param name="connectionOptions">The connection's timeouts and User-Agent (KubeSim's black holes match it).</param>
    public static async Task<Sim> StartAsync(TimeProvider clientTime, KubeSim.KubeSimOptions? options = null, KubeConnectionOptions? connectionOptions = null)
    {
        var api = await KubeSim.KubeSim.StartAsync(options);
        var faults = new ApiFaults(clientTime);
        var connection = new KubeConnection(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig), connectionOptions ?? new KubeConnectionOptions(), faults);
        return new Sim(api, connection, faults);
    }

    /// <summary>A second connection that bypasses the faults: the test's own view of the cluster.</summary>
    public KubeConnection Direct() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Api.Kubeconfig));

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        await Api.DisposeAsync();
    }
}
