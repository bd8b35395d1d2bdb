using System.Diagnostics;
using System.Net;
using IronLb.Lab.Tests.EndToEnd;
using IronLb.Lab.Tests.Failover;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Egress;

/// <summary>
/// Egress from the Service's address, end to end: pods of mail/smtpout (labelled metaleg.de/rewriteSrcIP) connect
/// to the external client, which records the source address of each connection and captures each SYN with its MAC.
/// The promises: the Service's address per family, through the announcing node, both ways; excluded destinations
/// and unlabelled Services untouched; the path follows the address on kill -9, clean shutdown and restart; and
/// IronLB's kernel state is exactly there while egress is asked for, and gone after a clean stop.
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class EgressTests(FailoverLab lab) : IClassFixture<FailoverLab>
{
    private const string Service = "smtpout";
    private static readonly IPAddress ServiceV4 = IPAddress.Parse("192.0.2.193");
    private static readonly IPAddress ServiceV6 = IPAddress.Parse("2001:db8:3a::587");
    private static readonly IPAddress ClientV4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress ClientV6 = IPAddress.Parse("2001:db8:3a::1");
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(2);

    /// <summary>MetalLB's election order for mail/smtpout (its own first address, not the gateway's).</summary>
    private IReadOnlyList<string> Order =>
        [.. lab.Nodes.OrderBy(n => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{n}#{ServiceV4}"))), StringComparer.Ordinal)];

    private string Owner => Order[0];

    [Fact]
    public async Task A_pod_on_the_announcing_node_and_one_elsewhere_both_leave_as_the_service_both_ways()
    {
        RequireTools();
        await lab.HealthyAsync();
        await using var probe = await EgressProbe.StartAsync(lab.Client.Netns, lab.Client.Interface);
        var onOwner = Pod(p => p.Node == Owner);
        var elsewhere = Pod(p => p.Node != Owner);
        foreach (var (pod, client, source) in new[] { (onOwner, ClientV4, ServiceV4), (onOwner, ClientV6, ServiceV6), (elsewhere, ClientV4, ServiceV4), (elsewhere, ClientV6, ServiceV6) })
        {
            await LeavesAsAsync(probe, pod, client, source, Owner);
        }
    }

    [Fact]
    public async Task Destinations_inside_the_cluster_and_unlabelled_services_keep_the_pods_own_source()
    {
        RequireTools();
        await lab.HealthyAsync();
        var sender = Pod(p => p.Node != Owner);
        var other = Pod(p => p.Node != sender.Node, any: true);

        // Another pod (a pod range, excluded): it sees the sender's own address.
        await using (var peer = await PodListenerAsync(other))
        {
            foreach (var target in other.Addresses.Select(IPAddress.Parse))
            {
                var (echoed, token) = await peer.Probe.ConnectAsync(sender.Netns, target, Attempt);
                Assert.True(echoed, $"{sender.Name} → pod {other.Name} at {target}");
                await WaitForAsync(() => Task.FromResult(peer.Probe.PeerOf(token) is not null), $"{other.Name} recording {token}", FailoverLab.Deadline);
                Assert.Contains(peer.Probe.PeerOf(token), sender.Addresses);
            }
        }

        // A pod of a Service without the label: its SYN reaches the client with the pod's own address.
        await using var probe = await EgressProbe.StartAsync(lab.Client.Netns, lab.Client.Interface);
        var unlabelled = Pod(p => p.Service != Service, any: true);
        var own = IPAddress.Parse(unlabelled.Addresses.First(a => !a.Contains(':', StringComparison.Ordinal)));
        await probe.ConnectAsync(unlabelled.Netns, ClientV4, Attempt);
        await WaitForAsync(() => Task.FromResult(probe.Syns.Any(s => s.Source.Equals(own))), $"a SYN from {unlabelled.Name}'s own {own}", FailoverLab.Deadline,
            () => Task.FromResult(string.Join('\n', probe.Syns)));
        Assert.DoesNotContain(probe.Syns, s => s.Source.Equals(ServiceV4));
    }

    [Fact]
    public async Task After_kill_9_of_the_announcing_speaker_new_connections_leave_from_the_new_owner()
    {
        RequireTools();
        await lab.HealthyAsync();
        var (owner, next) = (Order[0], Order[1]);
        await using var probe = await EgressProbe.StartAsync(lab.Client.Netns, lab.Client.Interface);
        var sender = Pod(p => p.Node != owner);
        await LeavesAsAsync(probe, sender, ClientV4, ServiceV4, owner);

        var killed = Stopwatch.StartNew();
        await lab.Lab.OkAsync("kill-speaker", "--node", owner);
        foreach (var (client, source) in new[] { (ClientV4, ServiceV4), (ClientV6, ServiceV6) })
        {
            await LeavesAsAsync(probe, sender, client, source, next);
        }

        TestContext.Current.SendDiagnosticMessage($"egress through {next} {killed.Elapsed.TotalSeconds:F2} s after kill -9 of {owner}'s speaker (test clock; bench egress measures it)");

        // Restarted, the node wins the address back, and the path follows it home: the restarted speaker replaces
        // what the killed one left in the kernel.
        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        await LeavesAsAsync(probe, sender, ClientV4, ServiceV4, owner);
        await LeavesAsAsync(probe, sender, ClientV6, ServiceV6, owner);
        await OneCopyOfIronLbStateAsync(owner);
    }

    [Fact]
    public async Task A_clean_shutdown_leaves_nothing_in_the_kernel_and_the_path_moves()
    {
        RequireTools();
        await lab.HealthyAsync();
        var (owner, next) = (Order[0], Order[1]);
        await using var probe = await EgressProbe.StartAsync(lab.Client.Netns, lab.Client.Interface);
        var sender = Pod(p => p.Node != owner);
        var pid = await lab.SpeakerPidAsync(owner);
        Assert.NotNull(pid);

        await CheckAsync("kill", "-TERM", pid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await WaitForAsync(async () => await lab.SpeakerPidAsync(owner) is null, $"{owner}'s speaker exiting after SIGTERM", FailoverLab.Deadline);

        Assert.Equal("", await IronLbStateAsync(owner));
        await LeavesAsAsync(probe, sender, ClientV4, ServiceV4, next);
        await LeavesAsAsync(probe, sender, ClientV6, ServiceV6, next);

        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        await LeavesAsAsync(probe, sender, ClientV4, ServiceV4, owner);
    }

    [Fact]
    public async Task Removing_the_label_removes_the_rules_on_every_node_and_adding_it_back_restores_them()
    {
        RequireTools();
        await lab.HealthyAsync();
        await using var probe = await EgressProbe.StartAsync(lab.Client.Netns, lab.Client.Interface);
        var sender = Pod(p => p.Node != Owner);
        await LeavesAsAsync(probe, sender, ClientV4, ServiceV4, Owner);
        try
        {
            await Kubectl("label", "service", Service, "-n", "mail", "metaleg.de/rewriteSrcIP-");
            foreach (var node in lab.Nodes)
            {
                await WaitForAsync(async () => !(await IronLbStateAsync(node)).Contains(ServiceV4.ToString(), StringComparison.Ordinal)
                        && !(await IronLbStateAsync(node)).Contains(Address(sender, v6: false), StringComparison.Ordinal),
                    $"{node} without egress rules for mail/smtpout", FailoverLab.Deadline, () => IronLbStateAsync(node));
            }

            var (_, token) = await probe.ConnectAsync(sender.Netns, ClientV4, Attempt);
            Assert.NotEqual(ServiceV4.ToString(), probe.PeerOf(token));
        }
        finally
        {
            await Kubectl("label", "--overwrite", "service", Service, "-n", "mail", "metaleg.de/rewriteSrcIP=true");
        }

        await LeavesAsAsync(probe, sender, ClientV4, ServiceV4, Owner);
    }

    [Fact]
    public void Syn_lines_of_tcpdump_parse_with_time_mac_and_source()
    {
        var v4 = EgressProbe.ParseSyn("1733500000.250000 aa:bb:cc:dd:ee:01 > aa:bb:cc:dd:ee:02, ethertype IPv4 (0x0800), length 74: 192.0.2.193.40000 > 192.0.2.1.2525: Flags [S], seq 1, win 64240, length 0");
        var v6 = EgressProbe.ParseSyn("1733500001.5 aa:bb:cc:dd:ee:01 > aa:bb:cc:dd:ee:02, ethertype IPv6 (0x86dd), length 94: 2001:db8:3a::587.40000 > 2001:db8:3a::1.2525: Flags [S], seq 1, win 64800, length 0");
        Assert.Equal(new EgressProbe.Syn(TimeSpan.FromSeconds(1733500000.25), "aa:bb:cc:dd:ee:01", ServiceV4), v4);
        Assert.Equal(ServiceV6, v6!.Source);
        Assert.Null(EgressProbe.ParseSyn("1733500000.3 aa:bb:cc:dd:ee:01 > aa:bb:cc:dd:ee:02, ethertype IPv4 (0x0800), length 66: 192.0.2.193.40000 > 192.0.2.1.2525: Flags [.], ack 1"));
        Assert.Null(EgressProbe.ParseSyn("garbage"));
    }

    /// <summary>
    /// Retries new connections until one is echoed, seen by the client from <paramref name="source"/>, and its SYN
    /// came from <paramref name="node"/>'s MAC on the external LAN.
    /// </summary>
    private async Task LeavesAsAsync(EgressProbe probe, LabView.Pod pod, IPAddress client, IPAddress source, string node)
    {
        var mac = lab.Mac(node);
        var attempts = new List<string>();
        await WaitForAsync(
            async () =>
            {
                var (echoed, token) = await probe.ConnectAsync(pod.Netns, client, Attempt);
                var peer = probe.PeerOf(token);
                attempts.Add($"{token}: echoed {echoed}, seen from {peer ?? "-"}");
                return echoed && peer == source.ToString() && probe.Syns.Any(s => s.Source.Equals(source) && s.Mac.Equals(mac, StringComparison.OrdinalIgnoreCase));
            },
            $"{pod.Name} on {pod.Node} reaching {client} as {source} through {node} ({mac})",
            FailoverLab.Deadline,
            () => Task.FromResult($"{string.Join('\n', attempts.TakeLast(5))}\nSYNs: {string.Join('\n', probe.Syns.TakeLast(5))}\n{lab.Lab.Logs()}"));
    }

    /// <summary>What IronLB owns on a node: its nftables table, its rules at its priority and its routes, as text ("" when none).</summary>
    private async Task<string> IronLbStateAsync(string node)
    {
        var ns = lab.Netns(node);
        var table = await RunAsync("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "ironlb");
        var rules = await CheckAsync("ip", "-n", ns, "rule", "show");
        var routes = await CheckAsync("ip", "-n", ns, "route", "show", "table", "all");
        var routes6 = await CheckAsync("ip", "-n", ns, "-6", "route", "show", "table", "all");
        var ours = rules.Split('\n').Where(l => l.StartsWith("17900:", StringComparison.Ordinal))
            .Concat((routes + routes6).Split('\n').Where(l => l.Contains("table 179", StringComparison.Ordinal)));
        return (table.ExitCode == 0 ? table.Stdout : "") + string.Join('\n', ours);
    }

    /// <summary>After a restart over a killed speaker's leftovers: one table, one rule per next hop, no rule twice.</summary>
    private async Task OneCopyOfIronLbStateAsync(string node)
    {
        var rules = (await CheckAsync("ip", "-n", lab.Netns(node), "rule", "show")).Split('\n').Where(l => l.StartsWith("17900:", StringComparison.Ordinal)).ToList();
        Assert.Equal(rules.Count, rules.Distinct(StringComparer.Ordinal).Count());
        var tables = await CheckAsync("ip", "netns", "exec", lab.Netns(node), "nft", "list", "tables");
        Assert.Single(tables.Split('\n'), l => l.Trim() == "table inet ironlb");
    }

    private LabView.Pod Pod(Func<LabView.Pod, bool> where, bool any = false)
    {
        var pods = lab.View.Pods.Where(p => (any || (p.Namespace == "mail" && p.Service == Service)) && where(p)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        Assert.True(pods.Count > 0, $"no such pod among {string.Join(", ", lab.View.Pods.Select(p => $"{p.Namespace}/{p.Name}@{p.Node}"))} (owner {Owner})");
        return pods[0];
    }

    private static string Address(LabView.Pod pod, bool v6) => pod.Addresses.First(a => a.Contains(':', StringComparison.Ordinal) == v6);

    private async Task<PodListener> PodListenerAsync(LabView.Pod pod) => new(await EgressProbe.StartAsync(pod.Netns, pod.Interface));

    private Task<string> Kubectl(params string[] args) => CheckAsync("kubectl", ["--kubeconfig", lab.View.Kubeconfig, .. args]);

    private static void RequireTools()
    {
        FailoverLab.RequireNftables();
        Requirements.Tool("python3", "the egress tests' listener and connector");
        Requirements.Tool("tcpdump", "the egress tests' capture");
    }

    private sealed record PodListener(EgressProbe Probe) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Probe.DisposeAsync();
    }
}
