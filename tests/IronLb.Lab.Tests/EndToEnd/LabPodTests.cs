using System.Net;
using System.Net.Sockets;
using IronLb.Lab.Cluster;
using IronLb.Lab.Tests.Failover;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>
/// The lab's pods for real, as root, on the shared three-node lab (<see cref="ThreeNodeLab"/>): status lists them, the
/// EndpointSlices name them, the routed pod network carries both families between nodes, and a pod never reaches the
/// host (the node's nftables table drops it, and counts it). That `down` removes the pods too, also after some of the
/// lab's namespaces vanished on their own, is checked at the end of a lab that `down`s anyway
/// (<see cref="LabEndToEndTests.Every_address_answers_once_from_its_lan_moves_after_kill_speaker_and_survives_restarts"/>).
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
[Collection(ThreeNodeLab.Name)]
public sealed class LabPodTests(FailoverLab lab)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pods_are_listed_named_by_endpoint_slices_and_reach_each_other_but_not_the_host()
    {
        Requirements.RootAndTools();
        Requirements.Tool("ping", "the pod network test (.ci/run installs iputils-ping)");
        Requirements.Tool("nft", "the pod network (.ci/run installs nftables)");
        var ct = TestContext.Current.CancellationToken;
        // Every link up (a failover test may have cut a node's): the pings between nodes go over mgmt0.
        await lab.HealthyAsync();
        var view = LabView.Parse(await lab.Lab.OkAsync("status", "--output", "json"));

        // One pod per example Service, two for smtpout (the egress label), on two different nodes; each with one
        // address per family, in its node's ranges.
        Assert.Equal(7, view.Pods.Count);
        var smtpout = view.Pods.Where(p => p.Service == "smtpout").ToList();
        Assert.Equal(2, smtpout.Count);
        Assert.NotEqual(smtpout[0].Node, smtpout[1].Node);
        Assert.All(view.Pods, p =>
        {
            Assert.Equal($"ilab-{lab.Lab.Name}-pod_{p.Namespace}_{p.Name}", p.Netns);
            Assert.Equal("eth0", p.Interface);
            Assert.Equal([AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], p.Addresses.Select(a => IPAddress.Parse(a).AddressFamily));
        });

        await ExpectSlicesNamingThePodsAsync(view, ct);

        // From smtpout's first pod: the other pod (another node), both families; its own node's and the other node's
        // management addresses. The routes between nodes and forwarding on them make this work.
        var (from, to) = (smtpout[0], smtpout[1]);
        var ownNode = NodeIndex(view, from.Node);
        var otherNode = NodeIndex(view, to.Node);
        // The host is .1 of the management slice, node K .10+K.
        var host = IPAddress.Parse(view.ApiServer[7..view.ApiServer.LastIndexOf(':')]);
        IPAddress[] targets = [.. to.Addresses.Select(IPAddress.Parse), Offset(host, 9 + ownNode), IPAddress.Parse($"2001:db8:ffff::{10 + ownNode}"),
            Offset(host, 9 + otherNode), IPAddress.Parse($"2001:db8:ffff::{10 + otherNode}")];
        foreach (var target in targets)
        {
            ProcessResult last = default!;
            await WaitForAsync(async () => (last = await RunAsync("ip", "netns", "exec", from.Netns, "ping", "-c", "1", "-W", "2", target.ToString())).ExitCode == 0,
                $"{from.Name} on {from.Node} pings {target}", Deadline, () => Task.FromResult(last.ToString()));
        }

        await ExpectTheHostUnreachableAsync(view, from);
    }

    /// <summary>
    /// Two of the lab's namespaces vanish on their own: the second pod of mail/smtpout (the egress Service, whose two
    /// pods are on two nodes) and the node of its first. `down`, after this, must still remove everything.
    /// </summary>
    internal static async Task DeletePodAndNodeNamespacesAsync(LabView view)
    {
        var smtpout = view.Pods.Where(p => p.Service == "smtpout").ToList();
        Assert.Equal(2, smtpout.Count);
        await CheckAsync("ip", "netns", "del", smtpout[1].Netns);
        await CheckAsync("ip", "netns", "del", view.Nodes.Single(n => n.Name == smtpout[0].Node).Netns);
    }

    /// <summary>Every Service with pods has one slice per family, naming exactly its pods: address, node, ready, Pod reference.</summary>
    private static async Task ExpectSlicesNamingThePodsAsync(LabView view, CancellationToken ct)
    {
        using var cluster = ClusterClient.Create(view.Kubeconfig);
        foreach (var service in view.Pods.GroupBy(p => (p.Namespace, p.Service)))
        {
            List<k8s.Models.V1EndpointSlice> slices = [];
            await WaitForAsync(async () => (slices = await cluster.EndpointSlicesAsync(service.Key.Namespace, service.Key.Service, ct)).Count == 2,
                $"two EndpointSlices for {service.Key}", Deadline, () => Task.FromResult(string.Join(", ", slices.Select(s => s.Metadata.Name))));
            foreach (var (family, index) in new[] { ("IPv4", 0), ("IPv6", 1) })
            {
                var slice = Assert.Single(slices, s => s.AddressType == family);
                Assert.Equal(
                    service.Select(p => $"{IPAddress.Parse(p.Addresses[index])} {p.Node} Pod {p.Namespace}/{p.Name} ready").Order(StringComparer.Ordinal),
                    slice.Endpoints.Select(e => $"{IPAddress.Parse(Assert.Single(e.Addresses))} {e.NodeName} {e.TargetRef?.Kind} {e.TargetRef?.NamespaceProperty}/{e.TargetRef?.Name} {(e.Conditions?.Ready == true ? "ready" : "not ready")}").Order(StringComparer.Ordinal));
            }
        }
    }

    /// <summary>
    /// A TCP connection from the pod to the API relay on the host's management address (bounded by `timeout`) fails,
    /// and the node's "tohost" counter grew by it; the same connection from the node itself (what the speakers do)
    /// succeeds, so the attempt would have shown a leak.
    /// </summary>
    private static async Task ExpectTheHostUnreachableAsync(LabView view, LabView.Pod pod)
    {
        var host = view.ApiServer[7..view.ApiServer.LastIndexOf(':')];
        var node = view.Nodes.Single(n => n.Name == pod.Node).Netns;
        string[] connect = ["timeout", "5", "bash", "-c", $"exec 3<>/dev/tcp/{host}/6443"];
        Assert.Equal(0, (await RunAsync("ip", ["netns", "exec", node, .. connect])).ExitCode);

        var before = await ToHostPacketsAsync(node);
        var attempt = await RunAsync("ip", ["netns", "exec", pod.Netns, .. connect]);
        Assert.True(attempt.ExitCode != 0, $"{pod.Name} connected to the host's {host}:6443: {attempt}");
        Assert.True(await ToHostPacketsAsync(node) > before, $"the tohost counter on {pod.Node} did not count the attempt");
    }

    private static async Task<long> ToHostPacketsAsync(string nodeNetns)
    {
        var listing = await CheckAsync("ip", "netns", "exec", nodeNetns, "nft", "-j", "list", "counter", "inet", "ironlab", "tohost");
        using var json = System.Text.Json.JsonDocument.Parse(listing);
        return json.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(e => e.TryGetProperty("counter", out _)).Select(e => e.GetProperty("counter").GetProperty("packets").GetInt64()).Single();
    }

    private static int NodeIndex(LabView view, string node) => view.Nodes.Select(n => n.Name).ToList().IndexOf(node) + 1;

    private static IPAddress Offset(IPAddress address, int offset)
    {
        var bytes = address.GetAddressBytes();
        bytes[3] += (byte)offset;
        return new IPAddress(bytes);
    }
}
