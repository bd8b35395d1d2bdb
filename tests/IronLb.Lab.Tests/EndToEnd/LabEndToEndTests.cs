using System.Net;
using System.Text.RegularExpressions;
using IronLb.Lab.Cluster;
using IronLb.Lab.Processes;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>
/// The built `ironlb-lab` end to end, as root: up, status, the controller's assignments through the API, the
/// speakers answering ARP/NDP from the clients, a failover, restarts, and down leaving nothing behind.
/// Deadlines are generous (two shared cores run six .NET processes here); nothing asserts on time.
/// </summary>
[Trait("Category", Category.Kubectl)]
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed partial class LabEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Up_clears_a_crashed_lab_assigns_every_service_prints_commands_that_run_as_printed_and_down_leaves_nothing()
    {
        Requirements.RootAndTools();
        await using var lab = new LabCli();
        // What a crash of an earlier `up` of the same name leaves: its network and state, nothing running.
        await Down.MiniLab.BuildAsync(lab.Name, Down.MiniLab.Dead, TestContext.Current.CancellationToken);

        // --bgp: the router comes with this bring-up rather than another (a lab is minutes on two cores).
        var up = await lab.RunAsync("up", "--bgp");
        Assert.True(up.ExitCode == 0, $"up: {up}\n{lab.Logs()}");
        Assert.Contains($"removing what is left of an earlier lab {lab.Name}", up.Output, StringComparison.Ordinal);
        Assert.Contains($"get ipaddresspools -n metallb-system", up.Output, StringComparison.Ordinal);

        var view = LabView.Parse(await lab.OkAsync("status", "--output", "json"));
        Assert.Equal(Path.Combine(lab.StateDirectory, "kubeconfig"), view.Kubeconfig);
        Assert.Matches(@"^http://203\.0\.113\.\d+:6443$", view.ApiServer);
        Assert.Equal(["cwn1", "cwn2", "cwn3", "cwn4"], view.Nodes.Select(n => n.Name));
        Assert.All(view.Nodes, n =>
        {
            Assert.Equal($"ilab-{lab.Name}-{n.Name}", n.Netns);
            Assert.Equal(["eno2", "eno3", "mgmt0"], n.Interfaces.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["external", "office", "management"], new[] { "eno2", "eno3", "mgmt0" }.Select(i => n.Interfaces[i].Lan));
            Assert.All(n.Interfaces.Values, i => Assert.Matches(MacPattern(), i.Mac));
        });
        Assert.Equal(12, view.Nodes.SelectMany(n => n.Interfaces.Values.Select(i => i.Mac)).Distinct().Count());
        // The third is `up --bgp`'s client behind the router, on a network of its own.
        Assert.Equal([("external", "ext0"), ("office", "ofc0"), ("remote", "rmt0")], view.Clients.Select(c => (c.Lan, c.Interface)));
        Assert.Equal($"ilab-{lab.Name}-remoteclient", view.ClientOn("remote").Netns);
        Assert.Single(view.ControllerPids);
        Assert.Contains("NODE", await lab.OkAsync("status"), StringComparison.Ordinal);
        await ExpectRouterAsync(lab, view);

        using (var cluster = ClusterClient.Create(view.Kubeconfig))
        {
            var expected = ExampleAddresses();
            List<LoadBalancerService> services = [];
            await WaitForAsync(
                async () => Assigned(services = await cluster.LoadBalancerServicesAsync(TestContext.Current.CancellationToken)).SetEquals(expected),
                "the controller assigns every example Service the addresses its annotation names", Deadline,
                async () => string.Join("; ", Assigned(await cluster.LoadBalancerServicesAsync(TestContext.Current.CancellationToken))) + "\n" + lab.Logs());
            // Before the printed commands: their kill-speaker takes a node's sessions down.
            await ExpectBgpAsync(lab, view, services);
        }

        var pids = view.ControllerPids.Concat(view.Nodes.Select(n => n.SpeakerPid).OfType<int>()).ToList();
        await RunPrintedCommandsAsync(lab, up.Output);
        await DownAndCheckNothingLeftAsync(lab, pids);
    }

    /// <summary>
    /// Every command of the "Try" block, as printed, through sh from a directory that is not the repository (the
    /// comment after each is sh's too): kubectl, ironlb status, arping/ndisc6 from the clients, and the lab's own
    /// commands, ending with the printed `down`. The test runs as root without sudo, so nothing has a sudo prefix;
    /// PrintedCommandTests covers the prefix.
    /// </summary>
    private static async Task RunPrintedCommandsAsync(LabCli lab, string upOutput)
    {
        var lines = upOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.StartsWith("Try", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no Try block in:\n{upOutput}");
        var commands = lines.Skip(start + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        Assert.Contains(commands, c => c.Contains(" down --name ", StringComparison.Ordinal));
        Assert.All(commands, c => Assert.False(c.StartsWith("ironlb", StringComparison.Ordinal), $"not on PATH: {c}"));
        var elsewhere = Path.GetTempPath().TrimEnd('/');
        foreach (var command in commands)
        {
            ProcessResult result = default!;
            // An address may take a moment to be answered again after the printed kill-speaker; ask until it is.
            await WaitForAsync(
                async () => (result = await RunAsync("sh", "-c", $"cd {elsewhere} && {command}")).ExitCode == 0,
                $"`{command}` runs as printed", Deadline, () => Task.FromResult($"{result}\n{lab.Logs()}"));
        }
    }

    [Fact]
    public async Task Every_address_answers_once_from_its_lan_moves_after_kill_speaker_and_survives_restarts()
    {
        Requirements.RootAndTools();
        await using var lab = new LabCli();
        var up = await lab.RunAsync("up");
        Assert.True(up.ExitCode == 0, $"up: {up}\n{lab.Logs()}");
        var view = LabView.Parse(await lab.OkAsync("status", "--output", "json"));
        var nodes = view.Nodes.Select(n => n.Name).ToList();
        using var cluster = ClusterClient.Create(view.Kubeconfig);
        var services = await cluster.LoadBalancerServicesAsync(TestContext.Current.CancellationToken);
        Assert.All(services, s => Assert.NotEmpty(s.Ingress));

        // Every address: exactly one answer, from the elected node's interface on the address's LAN.
        await ExpectAnnouncersAsync(lab, view, services, nodes);

        // `ironlb status` lists every speaker, and (root, this kernel) every responder answering in the kernel.
        await ExpectSpeakersReplyingInKernelAsync(view, nodes);

        // A crash (SIGKILL, no goodbye) of the node announcing smtpin: its addresses move to the next in the election.
        var smtpin = services.Single(s => s.Name == "smtpin");
        var victim = LabView.Elect(nodes, smtpin.Ingress[0]);
        await lab.OkAsync("kill-speaker", "--node", victim);
        Assert.Null(LabView.Parse(await lab.OkAsync("status", "--output", "json")).Nodes.Single(n => n.Name == victim).SpeakerPid);
        var survivors = nodes.Where(n => n != victim).ToList();
        await ExpectAnnouncersAsync(lab, view, services, survivors);

        // Back again: it wins its addresses back.
        await lab.OkAsync("restart-speaker", "--node", victim);
        await ExpectAnnouncersAsync(lab, view, services, nodes);

        // The controller restarts without moving anything, and the new one assigns a new Service.
        await lab.OkAsync("restart-controller");
        var extra = new Manifest("(test)", "v1", "Service", "extra", "web", """
            apiVersion: v1
            kind: Service
            metadata:
              name: extra
              namespace: web
              annotations:
                metallb.io/loadBalancerIPs: 192.0.2.195,2001:db8:3a::80
            spec:
              type: LoadBalancer
              ipFamilyPolicy: RequireDualStack
              ipFamilies: [IPv4, IPv6]
              ports:
                - name: http
                  port: 80
                  protocol: TCP
              selector:
                app: extra
            """);
        await cluster.ApplyAsync(extra, TestContext.Current.CancellationToken);
        List<LoadBalancerService> now = [];
        await WaitForAsync(
            async () =>
            {
                now = await cluster.LoadBalancerServicesAsync(TestContext.Current.CancellationToken);
                return now.Single(s => s.Name == "extra").Ingress.Count == 2;
            },
            "the restarted controller assigns web/extra", Deadline, () => Task.FromResult(lab.Logs()));
        Assert.Equal(Assigned(services), Assigned(now.Where(s => s.Name != "extra")));
        // No hand-made EndpointSlice: the lab keeps one for a Service created after `up`, so it is answered on the LAN.
        await ExpectAnnouncersAsync(lab, view, now, nodes);
        ExpectNoDenials(lab);

        var pids = LabView.Parse(await lab.OkAsync("status", "--output", "json")) is var after
            ? after.ControllerPids.Concat(after.Nodes.Select(n => n.SpeakerPid).OfType<int>()).ToList()
            : [];
        await DownAndCheckNothingLeftAsync(lab, pids);
    }

    private static async Task ExpectSpeakersReplyingInKernelAsync(LabView view, IReadOnlyList<string> nodes)
    {
        // The `ironlb` the lab itself runs: the one built beside ironlb-lab.
        var ironlb = Executables.FindIronLb(null, out var searched) ?? throw new FileNotFoundException($"no ironlb at {searched}");
        var expected = string.Join(',', new[] { "eno2", "eno3", "mgmt0" }.SelectMany(i => new[] { $"{i}/arp=kernel", $"{i}/ndp=kernel" }));
        ProcessResult last = default!;
        await WaitForAsync(
            async () =>
            {
                last = await RunAsync(ironlb[0], [.. ironlb.Skip(1), "status", "--kubeconfig", view.Kubeconfig, "--output", "json"]);
                if (!last.Stdout.TrimStart().StartsWith('{'))
                {
                    return false; // could not read the cluster (exit 2, the reason on stderr): ask again
                }

                using var document = System.Text.Json.JsonDocument.Parse(last.Stdout);
                var speakers = document.RootElement.GetProperty("speakers").EnumerateArray().ToList();
                return speakers.Select(s => s.GetProperty("node").GetString()).SequenceEqual(nodes)
                    && speakers.All(s => s.GetProperty("config").GetString() == "Valid"
                        && s.GetProperty("replies").ValueKind == System.Text.Json.JsonValueKind.Object
                        && string.Join(',', s.GetProperty("replies").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")) == expected);
            },
            $"ironlb status listing {string.Join(", ", nodes)}, each with a valid configuration and every responder in the kernel",
            Deadline, () => Task.FromResult(last?.ToString() ?? ""));
    }

    /// <summary>Waits until every address of every Service is answered exactly once, by the node that the election
    /// among <paramref name="live"/> picks, with its MAC on the address's LAN. The addresses are asked in parallel:
    /// each probe mostly waits for its own timer.</summary>
    private static async Task ExpectAnnouncersAsync(LabCli lab, LabView view, IEnumerable<LoadBalancerService> services, IReadOnlyList<string> live)
    {
        var expectations = services
            .SelectMany(service => service.Ingress.Select(ip => (Service: service, Address: IPAddress.Parse(ip), Winner: LabView.Elect(live, service.Ingress[0]))))
            .DistinctBy(e => e.Address)
            .ToList();
        await Task.WhenAll(expectations.Select(async e =>
        {
            var lan = LabView.LanOf(e.Address);
            var client = view.ClientOn(lan);
            var expected = view.MacOn(e.Winner, lan);
            (int Probes, List<string> Macs) last = default;
            await WaitForAsync(
                async () =>
                {
                    last = await LanProbe.AskAsync(client.Netns, client.Interface, e.Address);
                    return last.Macs.Count > 0 && last.Macs.Count == last.Probes && last.Macs.All(m => m == expected);
                },
                $"{e.Address} ({e.Service}) answered once per probe by {e.Winner} ({expected}) on the {lan} LAN", Deadline,
                () => Task.FromResult($"last answers: [{string.Join(", ", last.Macs ?? [])}] to {last.Probes} probes\n{lab.Logs()}"));
        }));
    }

    /// <summary>
    /// `up --bgp`'s router: in status (JSON and text), and FRR itself lists a passive neighbour for each node's eno2
    /// address in both families. The sessions, routes and the client behind the router: <see cref="ExpectBgpAsync"/>.
    /// </summary>
    private static async Task ExpectRouterAsync(LabCli lab, LabView view)
    {
        var router = Assert.Single(view.Routers);
        Assert.Equal(($"ilab-{lab.Name}-router", $"ilab-{lab.Name}-router", "frr", 64512u), (router.Name, router.Netns, router.Software, router.Asn));
        Assert.Equal(["192.0.2.254/24", "2001:db8:3a::254/64"], router.Addresses);
        Assert.Contains($"router {router.Name}: frr, AS 64512", await lab.OkAsync("status"), StringComparison.Ordinal);
        // The command status and `up` print, run as printed.
        var summary = await CheckAsync("vtysh", "-N", router.Name, "-c", "show bgp summary json");
        using var json = System.Text.Json.JsonDocument.Parse(summary);
        foreach (var (family, index) in new[] { ("ipv4Unicast", 0), ("ipv6Unicast", 1) })
        {
            var peers = json.RootElement.GetProperty(family).GetProperty("peers").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.Equal(view.Nodes.Select((_, i) => index == 0 ? $"192.0.2.{11 + i}" : $"2001:db8:3a::{11 + i}").Order(StringComparer.Ordinal), peers);
        }

        Assert.True(Directory.Exists($"/var/run/frr/{router.Name}"), "FRR's socket directory");
    }

    internal static async Task DownAndCheckNothingLeftAsync(LabCli lab, IReadOnlyList<int> pids)
    {
        var down = await lab.DownAsync();
        Assert.True(down.ExitCode == 0, $"down: {down}");
        Assert.DoesNotContain((await CheckAsync("ip", "netns", "list")).Split('\n'), l => l.StartsWith($"ilab-{lab.Name}-", StringComparison.Ordinal));
        Assert.False((await RunAsync("ip", "link", "show", "dev", $"ilab-{lab.Name}")).ExitCode == 0, "the host link is still there");
        Assert.False(Directory.Exists(lab.StateDirectory), "the state directory is still there");
        Assert.False(Directory.Exists($"/var/run/frr/ilab-{lab.Name}-router"), "the router's FRR socket directory is still there");
        Assert.All(pids, pid => Assert.Null(ProcFs.StartTime(pid)));
        Assert.DoesNotContain(ProcFs.AllPids(), pid => ProcFs.StartTime(pid) is not null
            && ProcFs.CommandLine(pid).Any(a => a.StartsWith(lab.StateDirectory + "/", StringComparison.Ordinal)));

        var again = await lab.RunAsync("down");
        Assert.True(again.ExitCode == 0, $"a second down: {again}");
        Assert.Contains("nothing", again.Output, StringComparison.Ordinal);
    }

    /// <summary>"namespace/name=ip,ip" for each example Service, from its metallb.io/loadBalancerIPs annotation.</summary>
    private static HashSet<string> ExampleAddresses() =>
    [
        .. Manifest.Load(RepoPaths.ExampleLab).Where(m => m.Kind == "Service").Select(m =>
        {
            var line = m.Yaml.Split('\n').Single(l => l.Contains("metallb.io/loadBalancerIPs", StringComparison.Ordinal));
            var ips = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',', StringSplitOptions.TrimEntries).Select(IPAddress.Parse);
            return $"{m.Namespace}/{m.Name}={string.Join(',', ips)}";
        }),
    ];

    private static HashSet<string> Assigned(IEnumerable<LoadBalancerService> services) =>
        [.. services.Select(s => $"{s}={string.Join(',', s.Ingress.Select(IPAddress.Parse))}")];

    /// <summary>
    /// deploy/'s RBAC is enough in the lab too: the controller and the speakers run on their ServiceAccounts' tokens,
    /// and no line of theirs carries kube-apiserver's denial (<c>User "system:serviceaccount:…" cannot …</c>), which
    /// they log as a warning and carry on, so only their logs show it.
    /// </summary>
    private static void ExpectNoDenials(LabCli lab)
    {
        var denied = Directory.EnumerateFiles(lab.StateDirectory, "*.log").Order(StringComparer.Ordinal)
            .SelectMany(f => File.ReadLines(f).Where(l => Denial().IsMatch(l)).Select(l => $"{Path.GetFileName(f)}: {l}"))
            .ToList();
        Assert.True(denied.Count == 0, $"a component was denied:\n{string.Join('\n', denied)}");
    }

    [GeneratedRegex(@"User ""system:serviceaccount:[^""]+"" cannot ")]
    private static partial Regex Denial();

    [GeneratedRegex("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")]
    private static partial Regex MacPattern();
}
