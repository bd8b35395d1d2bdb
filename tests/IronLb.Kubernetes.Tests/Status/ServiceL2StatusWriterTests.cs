using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Status;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Status;

/// <summary>
/// The speaker's ServiceL2Status writes against KubeSim with deploy/crds installed (#16): conditions survive the
/// schema's pruning, come back as written, and a status written without them really has none, also after a
/// status that had some (a merge patch keeps a field it does not name).
/// </summary>
public sealed class ServiceL2StatusWriterTests
{
    private const string Ns = "metallb-system";

    private static readonly ServiceKey Web = new("default", "web");

    private static readonly DateTime Then = new(2026, 12, 6, 22, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Conditions_round_trip_and_writing_none_removes_them()
    {
        await using var run = await Running.StartAsync();
        var conflict = Desired(ServiceL2Conditions.AddressConflict, "True", ServiceL2Conditions.AddressInUse, "192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced");

        var (name, _) = await run.Writer.CreateAsync(Web, ["eno2"], [], null, Token);
        var written = ServiceL2Conditions.Merge(null, [conflict], Then);
        await run.Writer.PatchStatusAsync(name, Web, ["eno2"], written, Token);

        var status = (await run.Statuses.GetAsync(Ns, name, Token))!.Status!;
        Assert.Equal(("cwn2", "web", "default"), (status.Node, status.ServiceName, status.ServiceNamespace));
        var condition = Assert.Single(status.Conditions!);
        Assert.Equal(
            (ServiceL2Conditions.AddressConflict, "True", ServiceL2Conditions.AddressInUse, conflict.Message, Then),
            (condition.Type, condition.Status, condition.Reason, condition.Message, condition.LastTransitionTime));
        Assert.Equal(DateTimeKind.Utc, condition.LastTransitionTime.Kind);
        Assert.False(ServiceL2Conditions.Differ(status.Conditions, [conflict]));

        // The conflict ends: the status flips, and the time with it.
        var ended = Desired(ServiceL2Conditions.AddressConflict, "False", ServiceL2Conditions.NoConflict, "192.0.2.40 on eno2 is answered only by cwn2");
        Assert.True(ServiceL2Conditions.Differ(status.Conditions, [ended]));
        await run.Writer.PatchStatusAsync(name, Web, ["eno2"], ServiceL2Conditions.Merge(status.Conditions, [ended], Then.AddMinutes(5)), Token);
        condition = Assert.Single((await run.Statuses.GetAsync(Ns, name, Token))!.Status!.Conditions!);
        Assert.Equal(("False", ServiceL2Conditions.NoConflict, Then.AddMinutes(5)), (condition.Status, condition.Reason, condition.LastTransitionTime));

        // None: the field goes, the rest of the status stays.
        await run.Writer.PatchStatusAsync(name, Web, ["eno2"], [], Token);
        status = (await run.Statuses.GetAsync(Ns, name, Token))!.Status!;
        Assert.Null(status.Conditions);
        Assert.Equal(("cwn2", "eno2"), (status.Node, Assert.Single(status.Interfaces!).Name));
    }

    [Fact]
    public async Task A_status_without_conflicts_is_metallbs_with_no_conditions_field()
    {
        await using var run = await Running.StartAsync();
        var (name, _) = await run.Writer.CreateAsync(Web, [], null, Token);
        await run.Writer.PatchStatusAsync(name, Web, [], Token);

        var text = await run.Direct.GetAsync(ResourceTypes.ServiceL2Statuses(Ns).Resource.ObjectPath(Ns, name), Token);
        Assert.DoesNotContain("conditions", text, StringComparison.Ordinal);
        Assert.Equal("cwn2", (await run.Statuses.GetAsync(Ns, name, Token))!.Status!.Node);
    }

    [Fact]
    public async Task A_create_carries_the_conditions_where_the_server_keeps_status_on_create()
    {
        // The status subresource drops status on create; what the writer sends is still the whole status, so the
        // caller's follow-up patch (StatusWritten false) is what puts the conditions there.
        await using var run = await Running.StartAsync();
        var conflict = ServiceL2Conditions.Merge(null, [Desired(ServiceL2Conditions.AddressConflict, "True", ServiceL2Conditions.AddressClaimed, "192.0.2.40 on eno2 is claimed by 02:42:ac:11:00:02; defended")], Then);
        var (name, statusWritten) = await run.Writer.CreateAsync(Web, ["eno2"], conflict, null, Token);
        if (!statusWritten)
        {
            await run.Writer.PatchStatusAsync(name, Web, ["eno2"], conflict, Token);
        }

        var condition = Assert.Single((await run.Statuses.GetAsync(Ns, name, Token))!.Status!.Conditions!);
        Assert.Equal(ServiceL2Conditions.AddressClaimed, condition.Reason);
        Assert.Equal(0, run.Writes.Failures);
    }

    private static V1Condition Desired(string type, string status, string reason, string message) =>
        new() { Type = type, Status = status, Reason = reason, Message = message };

    private sealed class Running : IAsyncDisposable
    {
        private readonly KubeSim.KubeSim _api;

        private Running(KubeSim.KubeSim api)
        {
            _api = api;
            Direct = new KubeConnection(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
            Statuses = new ResourceClient<ServiceL2StatusObject>(Direct, ResourceTypes.ServiceL2Statuses(Ns));
            Writer = new ServiceL2StatusWriter(Direct, Ns, "cwn2", Writes);
        }

        public KubeConnection Direct { get; }

        public ResourceClient<ServiceL2StatusObject> Statuses { get; }

        public WriteCounter Writes { get; } = new();

        public ServiceL2StatusWriter Writer { get; }

        public static async Task<Running> StartAsync()
        {
            var running = new Running(await KubeSim.KubeSim.StartAsync(cancellationToken: Token));
            var dynamic = new DynamicClient(running.Direct);
            await dynamic.ApplyAsync(new ApiResource("v1", "namespaces", "Namespace", false), null, Ns, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + Ns + "\"}}", "test", Token);
            var file = Path.Combine(IronLb.Testing.Repository.Root, "deploy", "crds", "metallb.io_servicel2statuses.yaml");
            // The document itself, without the file's header comments and document marker.
            var yaml = string.Join('\n', (await File.ReadAllLinesAsync(file, Token)).SkipWhile(l => l.StartsWith('#') || l.Trim() is "" or "---"));
            await dynamic.ApplyAsync(new ApiResource("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false), null, "servicel2statuses.metallb.io", yaml, "test", Token);
            await Eventually.UntilAsync(() => dynamic.ResourcesAsync(ResourceTypes.MetalLbGroupVersion, Token), r => r.ContainsKey("ServiceL2Status"), "the ServiceL2Status CRD served");
            return running;
        }

        public async ValueTask DisposeAsync()
        {
            Direct.Dispose();
            await _api.DisposeAsync();
        }
    }
}
