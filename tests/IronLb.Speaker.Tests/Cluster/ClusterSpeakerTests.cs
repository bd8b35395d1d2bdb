using System.Text.Json;
using IronLb.Core.Announcement;
using k8s;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// The cluster speaker against KubeSim through the real client, three speakers with real heartbeats on
/// loopback: who announces, ServiceL2Status, ConfigurationState, events, and what moves when.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class ClusterSpeakerTests
{
    private static readonly string[] Nodes = ["cwn1", "cwn2", "cwn3"];

    private static async Task<SpeakerCluster> CampusAsync()
    {
        var cluster = await SpeakerCluster.StartAsync(Nodes);
        await cluster.CreatePoolAsync("external", "[\"192.0.2.176/28\",\"2001:db8:3a::/112\"]");
        await cluster.CreateAdvertisementAsync("external", "external");
        return cluster;
    }

    /// <summary>Nodes in MetalLB's election order for the address: sha256("node#ip"), ascending bytes.</summary>
    private static List<string> ElectionOrder(string ip, IEnumerable<string> nodes) =>
        [.. nodes.OrderBy(n => L2Election.Hash(n, ip), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))];

    [Fact]
    public async Task Exactly_the_elected_speaker_announces_both_addresses_and_reports_it()
    {
        await using var cluster = await CampusAsync();
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180", "2001:db8:3a::180"], Nodes);
        foreach (var node in Nodes)
        {
            cluster.Start(node);
        }

        var winner = ElectionOrder("192.0.2.180", Nodes)[0];
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.180"), a => a.SequenceEqual([winner]), "the elected node alone announcing the IPv4 address");
        Assert.Equal([winner], cluster.AnnouncersOf("2001:db8:3a::180"));

        var status = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1 && Node(l[0]) == winner, "one ServiceL2Status naming the winner");
        var only = status[0];
        Assert.StartsWith("l2-", only.GetProperty("metadata").GetProperty("name").GetString(), StringComparison.Ordinal);
        var labels = only.GetProperty("metadata").GetProperty("labels");
        Assert.Equal(winner, labels.GetProperty("metallb.io/node").GetString());
        Assert.Equal("gateway", labels.GetProperty("metallb.io/service-name").GetString());
        Assert.Equal("web", labels.GetProperty("metallb.io/service-namespace").GetString());
        Assert.Equal("gateway", only.GetProperty("status").GetProperty("serviceName").GetString());
        Assert.Equal("web", only.GetProperty("status").GetProperty("serviceNamespace").GetString());

        // Every speaker reports a valid configuration and publishes where it hears heartbeats.
        var states = await SpeakerCluster.EventuallyAsync(
            () => cluster.ListAsync("configurationstates"),
            l => l.Count(s => s.TryGetProperty("status", out var st) && st.TryGetProperty("result", out var r) && r.GetString() == "Valid") == 3,
            "three valid speaker ConfigurationStates");
        Assert.All(states, s => Assert.StartsWith("127.0.0.1:", s.GetProperty("metadata").GetProperty("annotations").GetProperty("ironlb.io/membership-endpoint").GetString(), StringComparison.Ordinal));
        Assert.Equal(Nodes.Select(n => "speaker-" + n), states.Select(s => s.GetProperty("metadata").GetProperty("name").GetString()).Order(StringComparer.Ordinal));

        var events = await SpeakerCluster.EventuallyAsync(
            async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync("web")).Items,
            e => e.Any(x => x.Reason == "nodeAssigned"),
            "a nodeAssigned event");
        var assigned = Assert.Single(events, e => e.Reason == "nodeAssigned");
        Assert.Equal("metallb-speaker", assigned.Source.Component);
        Assert.Equal("gateway", assigned.InvolvedObject.Name);
        Assert.Contains(winner, assigned.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_speaker_publishes_where_its_replies_come_from_and_follows_a_change()
    {
        await using var cluster = await CampusAsync();
        string[] replies = ["eno2/arp=kernel,eno2/ndp=kernel"];
        cluster.Start("cwn1", replies: () => Volatile.Read(ref replies[0]));
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("configurationstates"), l => l.Any(s => Replies(s) == replies[0]), "the replies annotation on cwn1's ConfigurationState");

        // A responder falling back to userspace (an interface re-created, a refused attach) shows at the next evaluation.
        Volatile.Write(ref replies[0], "eno2/arp=userspace,eno2/ndp=userspace");
        cluster.Speaker("cwn1").Poke("test");
        var states = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("configurationstates"), l => l.Any(s => Replies(s) == replies[0]), "the annotation following the change");
        var state = Assert.Single(states, s => Replies(s) is not null);
        Assert.StartsWith("127.0.0.1:", state.GetProperty("metadata").GetProperty("annotations").GetProperty("ironlb.io/membership-endpoint").GetString(), StringComparison.Ordinal);

        static string? Replies(System.Text.Json.JsonElement state) =>
            state.GetProperty("metadata").TryGetProperty("annotations", out var a) && a.TryGetProperty("ironlb.io/layer2-replies", out var r) ? r.GetString() : null;
    }

    [Fact]
    public async Task A_clean_shutdown_moves_the_address_to_the_next_node_and_its_status_with_it()
    {
        await using var cluster = await CampusAsync();
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180"], Nodes);
        foreach (var node in Nodes)
        {
            cluster.Start(node);
        }

        var order = ElectionOrder("192.0.2.180", Nodes);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.180"), a => a.SequenceEqual([order[0]]), "the first node announcing");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1 && Node(l[0]) == order[0], "status on the first node");

        await cluster.StopAsync(order[0]);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.180"), a => a.SequenceEqual([order[1]]), "the second node taking over");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1 && Node(l[0]) == order[1], "the status moving to the second node");

        // The first node comes back: it sorts first again, so the address returns and the status follows.
        cluster.Start(order[0]);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.180"), a => a.SequenceEqual([order[0]]), "the address returning to the first node");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1 && Node(l[0]) == order[0], "the status returning");
    }

    [Fact]
    public async Task Endpoint_readiness_node_labels_and_deletion_re_elect()
    {
        await using var cluster = await CampusAsync();
        var order = ElectionOrder("192.0.2.181", Nodes);

        // externalTrafficPolicy Local: only nodes with a ready endpoint are candidates.
        await cluster.CreateServiceAsync("web", "local", ["192.0.2.181"], [order[2]], local: true);
        foreach (var node in Nodes)
        {
            cluster.Start(node);
        }

        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.181"), a => a.SequenceEqual([order[2]]), "the only node with an endpoint announcing");
        await cluster.SetEndpointsAsync("web", "local", [order[1], order[2]]);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.181"), a => a.SequenceEqual([order[1]]), "a better-placed node with a new endpoint taking over");

        // The exclude label takes a node out of the election.
        await cluster.Client.CoreV1.PatchNodeAsync(new k8s.Models.V1Patch("{\"metadata\":{\"labels\":{\"node.kubernetes.io/exclude-from-external-load-balancers\":\"\"}}}", k8s.Models.V1Patch.PatchType.MergePatch), order[1]);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.181"), a => a.SequenceEqual([order[2]]), "the excluded node withdrawing");

        // No endpoint at all: nobody announces, and the status object goes.
        await cluster.SetEndpointsAsync("web", "local", []);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.181"), a => a.Count == 0, "nobody announcing without endpoints");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 0, "no ServiceL2Status left");

        await cluster.SetEndpointsAsync("web", "local", [order[0]]);
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.181"), a => a.SequenceEqual([order[0]]), "announced again");
        await cluster.Client.CoreV1.DeleteNamespacedServiceAsync("local", "web");
        await SpeakerCluster.EventuallyAsync(() => cluster.AnnouncersOf("192.0.2.181"), a => a.Count == 0, "withdrawn after the Service is deleted");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 0, "its status deleted");
    }

    [Fact]
    public async Task An_invalid_configuration_keeps_the_last_good_one_and_says_so()
    {
        await using var cluster = await CampusAsync();
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180"], Nodes);
        cluster.Start("cwn1");
        await SpeakerCluster.EventuallyAsync(() => cluster.Announced("cwn1"), a => a.SequenceEqual(["192.0.2.180"]), "a single speaker announcing");

        // A second pool overlapping the first makes the whole configuration invalid.
        await cluster.CreatePoolAsync("overlap", "[\"192.0.2.176/29\"]");
        await SpeakerCluster.EventuallyAsync(
            () => cluster.ListAsync("configurationstates"),
            l => l.Any(s => s.GetProperty("metadata").GetProperty("name").GetString() == "speaker-cwn1" && s.TryGetProperty("status", out var st) && st.GetProperty("result").GetString() == "Invalid"),
            "speaker-cwn1 reporting Invalid");
        Assert.Equal(["192.0.2.180"], cluster.Announced("cwn1"));

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "overlap");
        await SpeakerCluster.EventuallyAsync(
            () => cluster.ListAsync("configurationstates"),
            l => l.Any(s => s.GetProperty("metadata").GetProperty("name").GetString() == "speaker-cwn1" && StatusField(s, "result") == "Valid"),
            "speaker-cwn1 valid again");
    }

    [Fact]
    public async Task An_advertisement_naming_only_absent_interfaces_is_announceFailed_not_announced()
    {
        await using var cluster = await SpeakerCluster.StartAsync("cwn1");
        await cluster.CreatePoolAsync("office", "[\"198.51.100.128/25\"]");
        await cluster.CreateAdvertisementAsync("office", "office", "[\"eno3\"]");
        await cluster.CreateServiceAsync("web", "intranet", ["198.51.100.130"], ["cwn1"]);
        cluster.Start("cwn1", localInterfaces: () => new HashSet<string>(["eno2"]));

        var events = await SpeakerCluster.EventuallyAsync(
            async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync("web")).Items,
            e => e.Any(x => x.Reason == "announceFailed"),
            "an announceFailed event");
        Assert.Equal("Warning", events.First(e => e.Reason == "announceFailed").Type);
        Assert.Empty(cluster.Announced("cwn1"));
        Assert.Empty(await cluster.ListAsync("servicel2statuses"));
    }

    [Fact]
    public async Task The_status_names_the_advertisement_s_interfaces_that_exist_here()
    {
        await using var cluster = await SpeakerCluster.StartAsync("cwn1");
        await cluster.CreatePoolAsync("office", "[\"198.51.100.128/25\"]");
        await cluster.CreateAdvertisementAsync("office", "office", "[\"eno3\",\"bond0\"]");
        await cluster.CreateServiceAsync("web", "intranet", ["198.51.100.130"], ["cwn1"]);
        cluster.Start("cwn1", localInterfaces: () => new HashSet<string>(["eno2", "eno3"]));

        await SpeakerCluster.EventuallyAsync(() => cluster.Announced("cwn1"), a => a.SequenceEqual(["198.51.100.130"]), "announced on eno3");
        var status = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1 && l[0].TryGetProperty("status", out _), "the ServiceL2Status");

        // The advertisement's interfaces as configured (sorted); one that exists is enough to announce.
        Assert.Equal(["bond0", "eno3"], status[0].GetProperty("status").GetProperty("interfaces").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_status_deleted_by_someone_else_is_written_again_while_the_node_announces()
    {
        await using var cluster = await CampusAsync();
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180"], ["cwn1"]);
        cluster.Start("cwn1");
        var first = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1, "the ServiceL2Status");
        var name = first[0].GetProperty("metadata").GetProperty("name").GetString()!;

        // As a speaker that wrongly believes it owns the Service would do (split membership).
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "servicel2statuses", name);

        var again = await SpeakerCluster.EventuallyAsync(
            () => cluster.ListAsync("servicel2statuses"),
            l => l.Count == 1 && l[0].GetProperty("metadata").GetProperty("name").GetString() != name && Node(l[0]) == "cwn1",
            "a new ServiceL2Status from cwn1");
        Assert.Single(again);
    }

    [Fact]
    public async Task The_announced_metric_follows_what_the_speaker_announces()
    {
        await using var cluster = await CampusAsync();
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180", "2001:db8:3a::180"], ["cwn1"]);
        cluster.Start("cwn1");
        using var metrics = new SpeakerMetrics("cwn1", () => cluster.Speaker("cwn1").Current);
        using var exporter = new IronLb.Monitoring.PrometheusExporter(metrics.Meter);
        exporter.Start();

        bool Announced(string text, string ip) => text.Split('\n').Any(l => l.StartsWith("metallb_speaker_announced{", StringComparison.Ordinal)
            && l.Contains($"ip=\"{ip}\"", StringComparison.Ordinal) && l.Contains("node=\"cwn1\"", StringComparison.Ordinal)
            && l.Contains("service=\"web/gateway\"", StringComparison.Ordinal) && l.Contains("protocol=\"layer2\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        await SpeakerCluster.EventuallyAsync(exporter.Render, t => Announced(t, "192.0.2.180") && Announced(t, "2001:db8:3a::180"), "both addresses in metallb_speaker_announced");

        await cluster.Client.CoreV1.DeleteNamespacedServiceAsync("gateway", "web");
        await SpeakerCluster.EventuallyAsync(exporter.Render, t => !t.Contains("metallb_speaker_announced{", StringComparison.Ordinal), "the series gone with the Service");
    }

    [Fact]
    public async Task What_the_speaker_writes_is_owned_by_its_pod()
    {
        await using var cluster = await CampusAsync();
        var pod = await cluster.Client.CoreV1.CreateNamespacedPodAsync(new k8s.Models.V1Pod
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "ironlb-speaker-x7k2p" },
            Spec = new k8s.Models.V1PodSpec { NodeName = "cwn1", Containers = [new k8s.Models.V1Container { Name = "speaker", Image = "ironlb" }] },
        }, "metallb-system");
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180"], ["cwn1"]);
        cluster.Start("cwn1", podName: pod.Metadata.Name);

        var statuses = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicel2statuses"), l => l.Count == 1, "the ServiceL2Status");
        var states = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("configurationstates"), l => l.Count == 1, "the ConfigurationState");
        foreach (var written in new[] { statuses[0], states[0] })
        {
            var owner = Assert.Single(written.GetProperty("metadata").GetProperty("ownerReferences").EnumerateArray());
            Assert.Equal("Pod", owner.GetProperty("kind").GetString());
            Assert.Equal(pod.Metadata.Name, owner.GetProperty("name").GetString());
            Assert.Equal(pod.Metadata.Uid, owner.GetProperty("uid").GetString());
        }
    }

    [Fact]
    public async Task Without_a_membership_key_the_speaker_refuses_to_start()
    {
        await using var cluster = await SpeakerCluster.StartAsync("cwn1");
        cluster.Start("cwn1", key: []);
        var run = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.StopAsync("cwn1"));
        Assert.Contains("--insecure-membership", run.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// status.node, or null while the object exists without it: a speaker creates a ServiceL2Status and then
    /// writes its status, and a poll can land in between.
    /// </summary>
    private static string? Node(JsonElement o) => StatusField(o, "node");

    /// <summary>A string field of an object's status, or null while the status is not written yet.</summary>
    private static string? StatusField(JsonElement o, string field) =>
        o.TryGetProperty("status", out var status) && status.TryGetProperty(field, out var value) ? value.GetString() : null;
}
