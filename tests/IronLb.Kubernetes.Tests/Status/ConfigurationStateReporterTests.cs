using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Status;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Kubernetes.Tests.Status;

/// <summary>
/// The one ConfigurationState reporter of the controller and the speakers, against KubeSim: it creates the
/// object, writes only what changed, and retries a failed write with back-off until it goes through.
/// </summary>
public sealed class ConfigurationStateReporterTests
{
    private const string Ns = "metallb-system";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_controller_s_report_creates_the_object_and_a_repeat_writes_nothing()
    {
        await using var run = await Running.StartAsync(ConfigurationStateIdentity.Controller(Ns));
        run.Reporter.Publish();
        run.Reporter.Report([]);

        var state = await run.EventuallyAsync("controller", s => s?.Status?.Result == "Valid");
        Assert.Equal("controller", state.Metadata.Labels[MetalLbLabels.ComponentType]);
        var condition = Assert.Single(state.Status!.Conditions!);
        Assert.Equal(("poolReconcilerValid", "True"), (condition.Type, condition.Status));
        await Eventually.UntilAsync(() => Task.FromResult(run.Writes.Writes), n => n == 2, "a create and a status write");

        run.Reporter.Report([]);
        Assert.Equal(2, run.Writes.Writes);

        run.Reporter.Report(["IPAddressPool pool: invalid CIDR"]);
        state = await run.EventuallyAsync("controller", s => s?.Status?.Result == "Invalid");
        Assert.Equal("IPAddressPool pool: invalid CIDR", state.Status!.ErrorSummary);
        Assert.Equal(0, run.Writes.Failures);
    }

    [Fact]
    public async Task Warnings_keep_the_result_valid_and_reach_the_condition_message()
    {
        await using var run = await Running.StartAsync(ConfigurationStateIdentity.Speaker(Ns, "n1"));
        run.Reporter.Publish();
        const string dropped = "BGPPeer metallb-system/frr: IronLB's native BGP does not implement vrf (\"red\"); this peer opens no session";
        run.Reporter.Report([], [dropped]);

        var state = await run.EventuallyAsync("speaker-n1", s => s?.Status?.Conditions?.SingleOrDefault()?.Message?.Contains(dropped, StringComparison.Ordinal) == true);
        Assert.Equal(("Valid", ""), (state.Status!.Result, state.Status.ErrorSummary));
        Assert.Equal("True", state.Status.Conditions!.Single().Status);

        // The warning gone: the message empties again, as MetalLB writes a valid state.
        run.Reporter.Report([], []);
        state = await run.EventuallyAsync("speaker-n1", s => s?.Status?.Conditions?.SingleOrDefault()?.Message == "");
        Assert.Equal("Valid", state.Status!.Result);

        // Errors take the message over.
        run.Reporter.Report(["BGPPeer metallb-system/p: missing local ASN"], [dropped]);
        state = await run.EventuallyAsync("speaker-n1", s => s?.Status?.Result == "Invalid");
        Assert.Equal("BGPPeer metallb-system/p: missing local ASN", state.Status!.Conditions!.Single().Message);
    }

    [Fact]
    public async Task A_failed_write_is_counted_and_retried_with_back_off_until_it_goes_through()
    {
        await using var run = await Running.StartAsync(ConfigurationStateIdentity.Controller(Ns));
        run.Sim.Faults.Fail(_ => true);
        // Report first: an unpublished reporter writes nothing, so Publish starts exactly one failing attempt.
        // The other order can make two immediate attempts (Publish's, then Report's change queued behind it).
        run.Reporter.Report([]);
        run.Reporter.Publish();

        Assert.Equal(TimeSpan.FromMilliseconds(200), await run.Time.StepAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(400), await run.Time.NextTimerAsync());
        Assert.Equal(2, run.Writes.Failures);

        run.Sim.Faults.Heal();
        run.Time.Advance(TimeSpan.FromMilliseconds(400));
        await run.EventuallyAsync("controller", s => s?.Status?.Result == "Valid");
    }

    [Fact]
    public async Task A_speaker_publishes_nothing_before_it_knows_its_endpoint_then_keeps_its_annotations_current()
    {
        await using var run = await Running.StartAsync(ConfigurationStateIdentity.Speaker(Ns, "cwn1"));
        run.Reporter.Report([]);
        run.Reporter.SetAnnotation(IronLbAnnotations.Layer2Replies, "eno2/arp=kernel");
        run.Reporter.SetAnnotation(IronLbAnnotations.MembershipEndpoint, "192.0.2.11:7947");
        Assert.Equal(0, run.Writes.Writes);

        run.Reporter.SetOwner(new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = "speaker-x", Uid = "uid-1" });
        run.Reporter.Publish();
        var state = await run.EventuallyAsync("speaker-cwn1", s => s?.Status?.Result == "Valid");
        Assert.Equal("cwn1", state.Metadata.Labels[MetalLbLabels.NodeName]);
        Assert.Equal("192.0.2.11:7947", state.Metadata.Annotations[IronLbAnnotations.MembershipEndpoint]);
        Assert.Equal("uid-1", Assert.Single(state.Metadata.OwnerReferences).Uid);

        run.Reporter.SetAnnotation(IronLbAnnotations.Layer2Replies, "eno2/arp=userspace");
        state = await run.EventuallyAsync("speaker-cwn1", s => s?.Metadata.Annotations?[IronLbAnnotations.Layer2Replies] == "eno2/arp=userspace");
        Assert.Equal("192.0.2.11:7947", state.Metadata.Annotations[IronLbAnnotations.MembershipEndpoint]);
        Assert.Equal("configReconcilerValid", Assert.Single(state.Status!.Conditions!).Type);
    }

    [Fact]
    public async Task An_object_deleted_behind_the_reporter_s_back_is_created_again_on_the_next_change()
    {
        await using var run = await Running.StartAsync(ConfigurationStateIdentity.Controller(Ns));
        run.Reporter.Publish();
        run.Reporter.Report([]);
        await run.EventuallyAsync("controller", s => s?.Status?.Result == "Valid");

        await run.States.DeleteAsync(Ns, "controller", Token);
        run.Reporter.Report(["broken"]);

        // The status write finds no object (404), and the retry re-creates it.
        await run.Time.StepAsync();
        await run.EventuallyAsync("controller", s => s?.Status?.Result == "Invalid");
    }

    private sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly KubeConnection _direct;
        private Task _loop = Task.CompletedTask;

        private Running(Sim sim, SteppedTime time, ConfigurationStateIdentity identity)
        {
            Sim = sim;
            Time = time;
            _direct = sim.Direct();
            States = new ResourceClient<ConfigurationStateObject>(_direct, ResourceTypes.ConfigurationStates(Ns));
            Reporter = new ConfigurationStateReporter(sim.Connection, identity, time, Writes, NullLogger.Instance);
        }

        public Sim Sim { get; }

        public SteppedTime Time { get; }

        public WriteCounter Writes { get; } = new();

        public ConfigurationStateReporter Reporter { get; }

        public ResourceClient<ConfigurationStateObject> States { get; }

        public static async Task<Running> StartAsync(ConfigurationStateIdentity identity)
        {
            var time = new SteppedTime();
            var sim = await Sim.StartAsync(time);
            var crd = Path.Combine(IronLb.Testing.Repository.Root, "deploy", "crds");
            var running = new Running(sim, time, identity);
            var dynamic = new DynamicClient(running._direct);
            await dynamic.ApplyAsync(new ApiResource("v1", "namespaces", "Namespace", false), null, Ns, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + Ns + "\"}}", "test", Token);
            await ApplyCrdAsync(dynamic, Path.Combine(crd, "metallb.io_configurationstates.yaml"));
            await Eventually.UntilAsync(() => dynamic.ResourcesAsync(ResourceTypes.MetalLbGroupVersion, Token), r => r.ContainsKey("ConfigurationState"), "the ConfigurationState CRD served");
            running._loop = running.Reporter.RunAsync(running._stop.Token);
            return running;
        }

        public async Task<ConfigurationStateObject> EventuallyAsync(string name, Func<ConfigurationStateObject?, bool> condition) =>
            (await Eventually.UntilAsync(() => States.GetAsync(Ns, name, Token), condition, $"ConfigurationState {name}"))!;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            Reporter.Dispose();
            _stop.Dispose();
            _direct.Dispose();
            await Sim.DisposeAsync();
        }

        private static async Task ApplyCrdAsync(DynamicClient dynamic, string file)
        {
            var resource = new ApiResource("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false);
            // The document itself, without the file's header comments and document marker.
            var yaml = string.Join('\n', (await File.ReadAllLinesAsync(file, Token)).SkipWhile(l => l.StartsWith('#') || l.Trim() is "" or "---"));
            await dynamic.ApplyAsync(resource, null, "configurationstates.metallb.io", yaml, "test", Token);
        }
    }
}
