using IronLb.Testing.Rbac;
using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>
/// Denial rows: each rule of deploy/rbac/controller.yaml taken away in turn, and the controller host (leader election
/// on) must say which permission it lacks, in a warning or error whose text carries kube-apiserver's
/// <c>cannot VERB resource "RESOURCE"</c>, and keep running rather than crash or stop trying.
/// </summary>
[Trait("Category", Category.Kubectl)]
[Trait("Category", Category.Slow)]
public sealed class DenialTests
{
    // The rule's kind (ClusterRole or Role), group, resource and the verb taken away.
    public static TheoryData<string, string, string, string> Rows => new()
    {
        { "ClusterRole", "", "services", "list" },
        { "ClusterRole", "", "services", "watch" },
        { "ClusterRole", "", "namespaces", "list" },
        { "ClusterRole", "", "namespaces", "watch" },
        { "ClusterRole", "", "services/status", "update" },
        { "ClusterRole", "", "events", "create" },
        { "Role", "metallb.io", "ipaddresspools", "list" },
        { "Role", "metallb.io", "ipaddresspools", "watch" },
        { "Role", "metallb.io", "ipaddresspools/status", "patch" },
        { "Role", "metallb.io", "configurationstates", "create" },
        { "Role", "metallb.io", "configurationstates", "get" },
        { "Role", "metallb.io", "configurationstates/status", "patch" },
        { "Role", "coordination.k8s.io", "leases", "create" },
        { "Role", "coordination.k8s.io", "leases", "get" },
        { "Role", "coordination.k8s.io", "leases", "update" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Without_the_rule_the_controller_names_the_missing_permission_and_keeps_running(string kind, string group, string resource, string verb)
    {
        await using var harness = await ControllerHarness.StartAsync();
        harness.ExpectDenials = true;
        await RuleRemoval.TakeAwayAsync(harness.Client, "ironlb-controller", kind, group, resource, verb);
        harness.Api.Create("metallb.io/v1beta1", "ipaddresspools", "metallb-system",
            """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool","namespace":"metallb-system"},"spec":{"addresses":["192.0.2.0/28"]}}""");
        await harness.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");
        var logs = new WarningLog();
        var (stop, run) = harness.StartHost(new ControllerOptions
        {
            LeaderElect = true,
            Identity = "controller-1",
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(300),
            MetricsAddress = "",
            HealthAddress = "",
            WatchTimeoutSeconds = 30,
        }, logs);

        await logs.NamesAsync(verb, resource);

        Assert.False(run.IsCompleted, $"the controller stopped: {run.Exception}");
        await stop.CancelAsync();
        await run;
    }
}
