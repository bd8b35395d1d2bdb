using System.Net;
using System.Net.Sockets;
using IronLb.Lab.Cluster;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>
/// The lab's pods for real, as root: status lists them, the EndpointSlices name them, the routed pod network carries
/// both families between nodes, a pod never reaches the host (the node's nftables table drops it, and counts it),
/// and `down` removes the pods too, also after some of the lab's namespaces vanished on their own.
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class LabPodTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pods_are_listed_named_by_endpoint_slices_reach_each_other_but_not_the_host_and_go_with_down()
    {
        Requirements.RootAndTools();
        Requirements.Tool("ping", "the pod network test (.ci/run installs iputils-ping)");
        Requirements.Tool("nft", "the pod network (.ci/run installs nftables)");
        var ct = TestContext.Current.CancellationToken;
        await using var lab = new LabCli();
        var up = await lab.RunAsync("up");
        Assert.True(up.ExitCode == 0, $"up: {up}\n{lab.Logs()}");
        var view = LabView.Parse(await lab.OkAsync("status", "--output", "json"));

        // One pod per example Service, two for smtpout (the egress label), on two different nodes; each with one
        // address per family, in its node's ranges.
        Assert.Equal(7, view.Pods.Count);
        var smtpout = view.Pods.Where(p => p.Service == "smtpout").ToList();
        Assert.Equal(2, smtpout.Count);
        Assert.NotEqual(smtpout[0].Node, smtpout[1].Node);
        Assert.All(view.Pods, p =>
        {
            Assert.Equal($"ilab-{lab.Name}-pod_{p.Namespace}_{p.Name}", p.Netns);
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

        // Two of the lab's namespaces vanish on their own (a pod's, and a node's that holds a pod): down still
        // removes everything, and a second down finds nothing.
        await CheckAsync("ip", "netns", "del", to.Netns);
        await CheckAsync("ip", "netns", "del", view.Nodes.Single(n => n.Name == from.Node).Netns);
        var pids = view.ControllerPids.Concat(view.Nodes.Select(n => n.SpeakerPid).OfType<int>()).ToList();
        await LabEndToEndTests.DownAndCheckNothingLeftAsync(lab, pids);
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
