using IronLb.Kubernetes.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Controller.Tests;

/// <summary>
/// KubeSim with MetalLB's CRDs applied by the real kubectl, and controllers started and killed against it
/// through the real KubernetesClient over HTTP. RBAC is enforced: controllers run as deploy/'s ServiceAccount
/// ironlb-controller, bound by deploy/rbac/controller.yaml's own objects; only setup uses the admin.
/// </summary>
internal sealed class ControllerHarness : IAsyncDisposable
{
    private readonly List<(CancellationTokenSource Stop, Task Run, LoadBalancerController Controller, KubeConnection Connection)> _controllers = [];
    private readonly List<(CancellationTokenSource Stop, Task Run)> _hosts = [];

    private ControllerHarness(KubeSim.KubeSim api, k8s.Kubernetes client)
    {
        Api = api;
        Client = client;
    }

    public KubeSim.KubeSim Api { get; }

    public k8s.Kubernetes Client { get; }

    /// <summary>A kubeconfig acting as the ServiceAccount ironlb-controller (what every controller here runs with).</summary>
    public string ControllerKubeconfig { get; private set; } = "";

    public static string RepoRoot => IronLb.Testing.Repository.Root;

    public static async Task<ControllerHarness> StartAsync(KubeSim.KubeSimOptions? options = null)
    {
        var api = await KubeSim.KubeSim.StartAsync((options ?? new KubeSim.KubeSimOptions()) with { EnforceRbac = true });
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        var harness = new ControllerHarness(api, client);
        await harness.KubectlAsync("apply", "-f", Path.Combine(RepoRoot, "deploy", "crds"));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "metallb-system" } });
        api.CreateFromYaml(await File.ReadAllTextAsync(Path.Combine(RepoRoot, "deploy", "rbac", "controller.yaml")));
        harness.ControllerKubeconfig = api.WriteKubeconfigFor("metallb-system", "ironlb-controller");
        return harness;
    }

    public LoadBalancerController StartController(ControllerOptions? options = null, string? kubeconfig = null)
    {
        var connection = KubeConnection.Create(kubeconfig ?? ControllerKubeconfig);
        var controller = new LoadBalancerController(connection, options ?? new ControllerOptions { WatchTimeoutSeconds = 30 }, new ControllerMetrics(), TimeProvider.System, NullLoggerFactory.Instance);
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => controller.RunAsync(stop.Token));
        _controllers.Add((stop, run, controller, connection));
        return controller;
    }

    /// <summary>Runs the whole `ironlb controller` host (leader election, endpoints) until the returned source is cancelled.</summary>
    public (CancellationTokenSource Stop, Task Run) StartHost(ControllerOptions options, Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => ControllerHost.RunAsync(options, ControllerKubeconfig, logs ?? NullLoggerFactory.Instance, stop.Token));
        _hosts.Add((stop, run));
        return (stop, run);
    }

    /// <summary>Stops a controller as abruptly as the process allows: its loop is cancelled mid-flight.</summary>
    public async Task KillAsync(LoadBalancerController controller)
    {
        var entry = _controllers.Single(c => c.Controller == controller);
        _controllers.Remove(entry);
        await entry.Stop.CancelAsync();
        try
        {
            await entry.Run;
        }
        catch (OperationCanceledException)
        {
        }

        entry.Controller.Dispose();
        entry.Connection.Dispose();
        entry.Stop.Dispose();
    }

    public Task<string> KubectlAsync(params string[] args) => Kubectl.OkOnceAsync(Api.Kubeconfig, args);

    /// <summary>Polls until the condition holds; generous deadline, never a timed assertion.</summary>
    public static Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 60) =>
        Eventually.UntilAsync(probe, condition, what, seconds);

    public async Task<V1Service> ServiceAsync(string ns, string name) => await Client.CoreV1.ReadNamespacedServiceAsync(name, ns);

    public static IReadOnlyList<string> IngressOf(V1Service service) =>
        service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).ToList() ?? [];

    public async ValueTask DisposeAsync()
    {
        foreach (var (stop, run, controller, connection) in _controllers.ToList())
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }

            controller.Dispose();
            connection.Dispose();
            stop.Dispose();
        }

        foreach (var (stop, run) in _hosts)
        {
            await stop.CancelAsync();
            await run;
            stop.Dispose();
        }

        Client.Dispose();
        await Api.DisposeAsync();
        // deploy/'s rules must be enough: a denied request the controller shrugged off is a failure too (unless the
        // test took a rule away on purpose).
        var denied = Api.Audit.Of("system:serviceaccount:metallb-system:ironlb-controller").Where(e => !e.Allowed).Distinct().ToList();
        Assert.True(ExpectDenials || denied.Count == 0, $"the controller was denied: {string.Join("; ", denied)}");
    }

    /// <summary>Set by tests that remove a rule on purpose (DenialTests).</summary>
    public bool ExpectDenials { get; set; }

}
