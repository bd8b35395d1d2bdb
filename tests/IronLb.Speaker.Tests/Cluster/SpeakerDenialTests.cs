using IronLb.Testing.Rbac;
using k8s;
using k8s.Models;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// Denial rows: each rule of deploy/rbac/speaker.yaml taken away in turn, and the speaker must say which permission it
/// lacks, in a warning or error whose text carries kube-apiserver's <c>cannot VERB resource "RESOURCE"</c>, and keep
/// running. The stage is when the permission is first needed: at start (informers, its Lease, its ConfigurationState,
/// a Service to announce), when the Service goes (its ServiceL2Status deleted), or when its Pod is replaced (its
/// ConfigurationState given the new owner).
/// </summary>
[Trait("Category", Category.Kubectl)]
[Trait("Category", Category.Slow)]
public sealed class SpeakerDenialTests
{
    public enum Stage
    {
        Start,
        ServiceDeleted,
        PodReplaced,
    }

    // The rule's kind (ClusterRole or Role), group, resource, the verb taken away, and when it is needed.
    public static TheoryData<string, string, string, string, Stage> Rows => new()
    {
        { "ClusterRole", "", "services", "list", Stage.Start },
        { "ClusterRole", "", "services", "watch", Stage.Start },
        { "ClusterRole", "", "nodes", "list", Stage.Start },
        { "ClusterRole", "", "nodes", "watch", Stage.Start },
        { "ClusterRole", "", "namespaces", "list", Stage.Start },
        { "ClusterRole", "", "namespaces", "watch", Stage.Start },
        { "ClusterRole", "discovery.k8s.io", "endpointslices", "list", Stage.Start },
        { "ClusterRole", "discovery.k8s.io", "endpointslices", "watch", Stage.Start },
        { "ClusterRole", "networking.k8s.io", "servicecidrs", "list", Stage.Start },
        { "ClusterRole", "networking.k8s.io", "servicecidrs", "watch", Stage.Start },
        { "ClusterRole", "", "events", "create", Stage.Start },
        { "Role", "metallb.io", "ipaddresspools", "list", Stage.Start },
        { "Role", "metallb.io", "ipaddresspools", "watch", Stage.Start },
        { "Role", "metallb.io", "l2advertisements", "list", Stage.Start },
        { "Role", "metallb.io", "l2advertisements", "watch", Stage.Start },
        { "Role", "metallb.io", "servicel2statuses", "list", Stage.Start },
        { "Role", "metallb.io", "servicel2statuses", "watch", Stage.Start },
        { "Role", "metallb.io", "servicel2statuses", "create", Stage.Start },
        { "Role", "metallb.io", "servicel2statuses/status", "patch", Stage.Start },
        { "Role", "metallb.io", "servicel2statuses", "delete", Stage.ServiceDeleted },
        { "Role", "metallb.io", "configurationstates", "get", Stage.Start },
        { "Role", "metallb.io", "configurationstates", "create", Stage.Start },
        { "Role", "metallb.io", "configurationstates/status", "patch", Stage.Start },
        { "Role", "metallb.io", "configurationstates", "patch", Stage.PodReplaced },
        { "Role", "coordination.k8s.io", "leases", "list", Stage.Start },
        { "Role", "coordination.k8s.io", "leases", "watch", Stage.Start },
        { "Role", "coordination.k8s.io", "leases", "create", Stage.Start },
        { "Role", "coordination.k8s.io", "leases", "patch", Stage.Start },
        { "Role", "", "pods", "get", Stage.Start },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Without_the_rule_the_speaker_names_the_missing_permission_and_keeps_running(string kind, string group, string resource, string verb, Stage stage)
    {
        await using var cluster = await SpeakerCluster.StartAsync("node-a");
        cluster.ExpectDenials = true;
        await RuleRemoval.TakeAwayAsync(cluster.Client, "ironlb-speaker", kind, group, resource, verb);
        await cluster.CreatePoolAsync("pool", "[\"192.0.2.0/28\"]");
        await cluster.CreateAdvertisementAsync("l2", "pool");
        await PodAsync(cluster, "speaker-1");
        var logs = new WarningLog();
        cluster.Start("node-a", podName: "speaker-1", logs: logs);
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.1"], ["node-a"]);
        if (stage == Stage.ServiceDeleted)
        {
            await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1, "the ServiceL2Status");
            await cluster.Client.CoreV1.DeleteNamespacedServiceAsync("gateway", "web");
        }
        else if (stage == Stage.PodReplaced)
        {
            await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("configurationstates"), l => l.Count == 1, "the ConfigurationState");
            await cluster.StopAsync("node-a");
            await PodAsync(cluster, "speaker-2");
            cluster.Start("node-a", podName: "speaker-2", logs: logs);
        }

        await logs.NamesAsync(verb, resource);

        Assert.True(cluster.IsRunning("node-a"), "the speaker stopped");
    }

    private static Task PodAsync(SpeakerCluster cluster, string name) =>
        cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec { NodeName = "node-a", Containers = [new V1Container { Name = "speaker", Image = "ironlb" }] },
        }, "metallb-system");
}
