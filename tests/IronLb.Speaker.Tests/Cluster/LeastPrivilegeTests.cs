using IronLb.Controller;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// deploy/rbac is enough and no more: the controller host (leader election on) and two speakers run under their own
/// ServiceAccounts, with RBAC enforced, through a Service's whole life (address assigned, announced, status written,
/// events, deleted) and a speaker Pod replaced (its ConfigurationState changes owner), and KubeSim's audit of every request is compared with the rules deploy/ grants each of them.
/// A denial fails, and so does a grant neither component used.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class LeastPrivilegeTests
{
    private const string ControllerUser = "system:serviceaccount:metallb-system:ironlb-controller";
    private const string SpeakerUser = "system:serviceaccount:metallb-system:ironlb-speaker";

    private sealed record Grant(string Group, string Resource, string Verb, string Names)
    {
        public bool Covers(KubeSim.Authorization.AuditEntry e) =>
            e.Group == Group && e.Resource == Resource && e.Verb == Verb && (Names.Length == 0 || Names.Split(',').Contains(e.Name));

        public override string ToString() => $"{Verb} {(Group.Length == 0 ? "" : Group + "/")}{Resource}{(Names.Length == 0 ? "" : $" [{Names}]")}";
    }

    [Fact]
    public async Task Every_request_of_a_service_life_is_allowed_and_every_grant_is_used()
    {
        await using var cluster = await SpeakerCluster.StartAsync("node-a", "node-b");
        cluster.Api.CreateFromYaml(await File.ReadAllTextAsync(Path.Combine(SpeakerCluster.RepoRoot, "deploy", "rbac", "controller.yaml")));
        var controllerKubeconfig = cluster.Api.WriteKubeconfigFor("metallb-system", "ironlb-controller");
        await cluster.CreateObjectAsync("ipaddresspools", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool"},"spec":{"addresses":["192.0.2.0/28"]}}""");
        await cluster.CreateAdvertisementAsync("l2", "pool");
        // BGP too: a peer on loopback at a closed port (the dial is refused; no packet leaves the host), so the speakers
        // read the BGP kinds and Secrets and write a ServiceBGPStatus each.
        await cluster.Client.CreateNamespacedCustomObjectAsync(
            """{"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"tor"},"spec":{"myASN":64512,"peerASN":64513,"peerAddress":"127.0.0.1","peerPort":9}}""",
            "metallb.io", "v1beta2", "metallb-system", "bgppeers");
        await cluster.CreateObjectAsync("bgpadvertisements", """{"apiVersion":"metallb.io/v1beta1","kind":"BGPAdvertisement","metadata":{"name":"bgp"},"spec":{"ipAddressPools":["pool"]}}""");
        await using var bgpA = new IronLb.Speaker.Bgp.BgpSessions("node-a", TimeProvider.System, NullLoggerFactory.Instance);
        await using var bgpA2 = new IronLb.Speaker.Bgp.BgpSessions("node-a", TimeProvider.System, NullLoggerFactory.Instance);
        await using var bgpB = new IronLb.Speaker.Bgp.BgpSessions("node-b", TimeProvider.System, NullLoggerFactory.Instance);
        foreach (var node in new[] { "node-a", "node-b" })
        {
            await PodAsync(cluster, node, $"speaker-{node}");
        }
        using var stop = new CancellationTokenSource();
        var controller = Task.Run(() => ControllerHost.RunAsync(new ControllerOptions
        {
            LeaderElect = true,
            Identity = "controller-1",
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(300),
            MetricsAddress = "",
            HealthAddress = "",
            WatchTimeoutSeconds = 30,
        }, controllerKubeconfig, NullLoggerFactory.Instance, stop.Token));
        cluster.Start("node-a", podName: "speaker-node-a", bgp: bgpA);
        cluster.Start("node-b", podName: "speaker-node-b", bgp: bgpB);

        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "gateway" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, "web");
        await cluster.SetEndpointsAsync("web", "gateway", ["node-a", "node-b"]);
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1, "a ServiceL2Status for gateway");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicebgpstatuses"), l => l.Count == 2, "a ServiceBGPStatus for gateway per node");
        // nodeAssigned follows the status; the announcing speaker may be node-a, which is replaced next, and an event
        // still queued when a speaker stops is dropped, so it is awaited here rather than hoped for.
        await SpeakerCluster.EventuallyAsync(() => cluster.Api.Audit.Of(SpeakerUser), a => a.Any(e => e.Verb == "create" && e.Resource == "events"), "the nodeAssigned event");
        await SpeakerCluster.EventuallyAsync(() => cluster.Api.Audit.Of(ControllerUser), a => a.Any(e => e.Verb == "update" && e.Resource == "leases"), "a renewal of the controller's Lease");
        // The DaemonSet replaces node-a's Pod: the new speaker takes over its ConfigurationState by patching the owner.
        await cluster.StopAsync("node-a");
        await PodAsync(cluster, "node-a", "speaker-node-a-2");
        cluster.Start("node-a", podName: "speaker-node-a-2", bgp: bgpA2);
        await SpeakerCluster.EventuallyAsync(() => cluster.Api.Audit.Of(SpeakerUser), a => a.Any(e => e.Verb == "patch" && e.Resource == "configurationstates"), "the ConfigurationState given to the new Pod");
        await cluster.Client.CoreV1.DeleteNamespacedServiceAsync("gateway", "web");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 0, "the ServiceL2Status gone with gateway");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicebgpstatuses"), l => l.Count == 0, "the ServiceBGPStatuses gone with gateway");
        // Every grant is used by now or soon (a renewal or a retry may lag on a busy machine): wait for the last ones.
        var components = new[] { (User: ControllerUser, Name: "ironlb-controller"), (User: SpeakerUser, Name: "ironlb-speaker") };
        var grants = new Dictionary<string, List<Grant>>();
        foreach (var (_, name) in components)
        {
            grants[name] = await GrantsAsync(cluster.Client, name);
        }
        List<string> Unused() => [.. components.SelectMany(c => grants[c.Name]
            .Where(g => !cluster.Api.Audit.Of(c.User).Any(e => e.Allowed && g.Covers(e)))
            .Select(g => $"{c.Name} never used its grant {g}"))];
        var unused = await Eventually.UntilAsync(() => Task.FromResult(Unused()), u => u.Count == 0, "every grant used");
        await stop.CancelAsync();
        await controller;

        var problems = new List<string>(unused);
        foreach (var (user, name) in components)
        {
            problems.AddRange(cluster.Api.Audit.Of(user).Where(e => e.Resource.Length > 0 && !e.Allowed)
                .Select(e => $"{name} was denied {e.Verb} {e.Group}/{e.Resource} {e.Namespace}/{e.Name}").Distinct());
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static Task PodAsync(SpeakerCluster cluster, string node, string name) =>
        cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "speaker", Image = "ironlb" }] },
        }, "metallb-system");

    /// <summary>The rules of the component's ClusterRole and Role as installed from deploy/rbac, one per verb and resource.</summary>
    private static async Task<List<Grant>> GrantsAsync(k8s.Kubernetes admin, string name)
    {
        var rules = (await admin.RbacAuthorizationV1.ReadClusterRoleAsync(name)).Rules
            .Concat((await admin.RbacAuthorizationV1.ReadNamespacedRoleAsync(name, "metallb-system")).Rules);
        return [.. from rule in rules
                   from g in rule.ApiGroups
                   from r in rule.Resources
                   from v in rule.Verbs
                   select new Grant(g, r, v, string.Join(',', rule.ResourceNames ?? []))];
    }
}
