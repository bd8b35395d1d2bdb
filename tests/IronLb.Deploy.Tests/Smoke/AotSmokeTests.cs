using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;

namespace IronLb.Deploy.Tests.Smoke;

/// <summary>
/// The image's NativeAOT `ironlb` (the one <see cref="PublishedImage"/> published, run with a container's environment)
/// as the controller and as the speaker, in both its modes, each checked on an event that only a working watch can
/// deliver: objects created after the process has listed. This is the class of failure NativeAOT brings (trimmed
/// JSON or reflection makes a watch yield nothing while the process looks healthy), which no `--help` run shows.
/// The speakers run as root in namespaces of their own (LanTopology, prefix hdep-): node1's eno2 (192.0.2.11) on a
/// bridge with a client's ext0 (192.0.2.1), which asks with arping. Documentation prefixes only, no route out.
/// </summary>
[SupportedOSPlatform("linux")]
[Trait("Category", Category.Publish)]
[Trait("Category", Category.Root)]
[Trait("Category", Category.Network)]
[Collection(SharedPublish.Name)]
public sealed class AotSmokeTests(PublishedImage image)
{
    private const string NamespacePrefix = "hdep-";
    private const string Pool = "192.0.2.96/28";

    /// <summary>Generous: the processes share two cores with the rest of CI, and an API server restart costs a backoff.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Controller_assigns_services_created_after_it_listed_and_after_the_api_server_restarted()
    {
        var binary = image.RequireEntrypoint();
        await using var cluster = await SmokeCluster.StartAsync("web");
        // No metrics or health listener: the lab's controllers may hold the default ports on this machine.
        await using var controller = LoggedProcess.Start(
            image.ContainerStartInfo(binary, ["controller", "--kubeconfig", cluster.KubeconfigFor("ironlb-controller"), "--relist-interval", "1h", "--metrics-address", "", "--health-address", ""]),
            "controller");
        await controller.WaitForLogAsync("caches synced");

        // From here on, the controller hears of the pool and the Services only through its watches.
        await cluster.CreatePoolAsync("smoke", Pool, autoAssign: true);
        await cluster.CreateServiceAsync("web", "first");
        var first = await AssignedAsync(cluster, controller, "first");

        // An API server restart cuts every watch; the controller must watch again and go on hearing.
        await cluster.Api.StopServingAsync();
        await cluster.Api.StartServingAsync(TestContext.Current.CancellationToken);
        await cluster.CreateServiceAsync("web", "second");
        var second = await AssignedAsync(cluster, controller, "second");
        await cluster.CreateServiceAsync("web", "third");
        var third = await AssignedAsync(cluster, controller, "third");

        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
        controller.AssertRunning("the end of the test");
    }

    [Fact]
    public async Task Speaker_on_a_cluster_answers_arp_for_a_service_created_after_it_became_eligible()
    {
        Requirements.RootAndTools();
        var binary = image.RequireEntrypoint();
        var ip = Requirements.Tool("ip", "running the speaker in a node namespace");
        await using var lan = await LanTopology.CreateAsync(NamespacePrefix, "2001:db8:1::", "2001:db8:2::");
        await using var cluster = await SmokeCluster.StartAsync("web");
        await using var relay = LoopbackRelay.Start(lan.Node(1), cluster.Api.SecureBaseUrl.Port);
        await cluster.CreateNodeAsync("node1", "192.0.2.11");
        await cluster.CreatePoolAsync("external", Pool, autoAssign: false);
        await cluster.CreateAdvertisementAsync("external", "external", "eno2");
        var key = Path.Combine(Directory.CreateTempSubdirectory("ironlb-smoke-key-").FullName, "secretkey");
        await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), TestContext.Current.CancellationToken);
        try
        {
            var kubeconfig = cluster.KubeconfigFor("ironlb-speaker", new Uri($"https://{IPAddress.Loopback}:{relay.Port}"));
            await using var speaker = LoggedProcess.Start(
                image.ContainerStartInfo(ip, ["netns", "exec", lan.Node(1), binary, "speaker", "--node", "node1", "--kubeconfig", kubeconfig, "--membership-address", "192.0.2.11", "--membership-key-file", key]),
                "speaker node1");
            await speaker.WaitForLogAsync("has a valid configuration and knows its peers");

            // The Service, its status and its endpoint reach the speaker only through its watches.
            await cluster.CreateServiceAsync("web", "smoke");
            await cluster.AssignAsync("web", "smoke", "192.0.2.100", "node1");
            await AnsweredAsync(lan, speaker, "192.0.2.100");
            await WaitForAsync(
                async () => (await cluster.AnnouncingNodesAsync("web", "smoke")) is ["node1"],
                "a ServiceL2Status naming node1 for web/smoke",
                Deadline,
                () => Task.FromResult(speaker.Log));
            speaker.AssertRunning("the end of the test");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(key)!, recursive: true);
        }
    }

    [Fact]
    public async Task Speaker_from_files_answers_arp_for_a_service_added_to_its_folder_while_it_runs()
    {
        Requirements.RootAndTools();
        var binary = image.RequireEntrypoint();
        var ip = Requirements.Tool("ip", "running the speaker in a node namespace");
        var manifests = Directory.CreateTempSubdirectory("ironlb-smoke-manifests-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(manifests, "metallb.yaml"), Manifests.PoolAndNode(Pool, "node1"), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(manifests, "first.yaml"), Manifests.Service("first", "192.0.2.100"), TestContext.Current.CancellationToken);
            await using var lan = await LanTopology.CreateAsync(NamespacePrefix, "2001:db8:1::", "2001:db8:2::");
            // The periodic re-read is pushed out of the test's reach: only the file watch can deliver the new Service.
            await using var speaker = LoggedProcess.Start(
                image.ContainerStartInfo(ip, ["netns", "exec", lan.Node(1), binary, "speaker", "--node", "node1", "--manifests", manifests, "--reload-interval", "1h"]),
                "speaker node1");
            await AnsweredAsync(lan, speaker, "192.0.2.100");

            Manifests.WriteAtomically(Path.Combine(manifests, "second.yaml"), Manifests.Service("second", "192.0.2.101"));
            await AnsweredAsync(lan, speaker, "192.0.2.101");
            speaker.AssertRunning("the end of the test");
        }
        finally
        {
            Directory.Delete(manifests, recursive: true);
        }
    }

    /// <summary>Waits until the Service has an address from the pool, and returns it.</summary>
    private static async Task<string> AssignedAsync(SmokeCluster cluster, LoggedProcess controller, string service)
    {
        IReadOnlyList<string> ingress = [];
        await WaitForAsync(
            async () =>
            {
                controller.AssertRunning($"assigning web/{service}");
                ingress = await cluster.IngressAsync("web", service);
                return ingress.Count > 0;
            },
            $"an address in web/{service}'s status",
            Deadline,
            () => Task.FromResult(controller.Log));
        var address = Assert.Single(ingress);
        Assert.True(IPNetwork.Parse(Pool).Contains(IPAddress.Parse(address)), $"web/{service} got {address}, which is not in the pool {Pool}");
        return address;
    }

    /// <summary>Waits until the client's arping for <paramref name="address"/> is answered with node1's eno2 MAC, and only with it.</summary>
    private static async Task AnsweredAsync(LanTopology lan, LoggedProcess speaker, string address)
    {
        var mac = await lan.MacTextAsync(lan.Node(1), "eno2");
        List<string> replies = [];
        await WaitForAsync(
            async () =>
            {
                speaker.AssertRunning($"answering for {address}");
                replies = (await LanProbe.ArpingAsync(lan.Client, "ext0", address, count: 1)).Replies;
                return replies.Count > 0;
            },
            $"an ARP reply for {address} on the external LAN",
            Deadline,
            () => Task.FromResult(speaker.Log));
        Assert.Equal([mac], replies);
    }
}
