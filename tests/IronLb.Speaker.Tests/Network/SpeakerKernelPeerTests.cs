using IronLb.Testing.Manifests;
using IronLb.Testing.Network;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Manifests;
using static IronLb.Testing.Eventually;
using static IronLb.Testing.Network.Ip;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Speaker.Tests.Network;

/// <summary>
/// The real `ironlb speaker --manifests` in two node namespaces, the Linux kernel as the peer (arping, ndisc6,
/// ip neigh in a client namespace). The elected node is always computed with Core's election, never assumed.
/// One class, so its tests run one at a time.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerKernelPeerTests : IDisposable
{
    private const string ExtV4 = "192.0.2.100";
    private const string ExtV6 = "2001:db8:1::100";
    private const string OfcV4 = "198.51.100.100";
    private const string OfcV6 = "2001:db8:2::100";
    private static readonly string[] Speakers = ["node1", "node2"];

    private static readonly string Pools = ManifestYaml.Join(
        ManifestYaml.PoolAnnouncedOn("external", "eno2", "192.0.2.0/24", "2001:db8:1::/64"),
        ManifestYaml.PoolAnnouncedOn("office", "eno3", "198.51.100.0/24", "2001:db8:2::/64"));

    // gateway: annotation and status, as a running cluster shows it; dns: annotation only.
    private static readonly string Services = ManifestYaml.Join(
        ManifestYaml.Service("web", "gateway", [ExtV4, ExtV6], 443, assigned: true),
        ManifestYaml.Service("dns", "dns", [OfcV4, OfcV6], 53, "UDP"));

    private readonly string _manifests = Directory.CreateTempSubdirectory("ironlb-speaker-net-").FullName;

    public void Dispose() => Directory.Delete(_manifests, recursive: true);

    [Fact]
    public async Task Arping_and_ndisc6_get_exactly_one_answer_from_the_elected_nodes_eno2_and_none_on_the_office_lan()
    {
        Requirements.RootAndTools();
        WriteManifests();
        await using var t = await LanTopology.CreateAsync("ilbs-", "2001:db8:1::", "2001:db8:2::");
        var ext = Elect(ExtV4, ExtV6, "external");
        var ofc = Elect(OfcV4, OfcV6, "office");
        var speakers = await StartSpeakersAsync(t, "--burst", "0"); // only the immediate gratuitous round: arping must see exactly its own answers

        var extMac = await t.MacTextAsync(NamespaceOf(t, ext), "eno2");
        var (sent, arp) = await ArpingProbesAsync(t, "ext0", ExtV4, count: 3);
        Assert.Equal(3, sent);
        Assert.Equal([extMac, extMac, extMac], arp);
        Assert.Equal([extMac], await Ndisc6Async(t, "ext0", ExtV6));

        // The external addresses are not answered on the office LAN, and the office ones only there.
        Assert.Empty((await ArpingProbesAsync(t, "ofc0", ExtV4, count: 1)).Replies);
        Assert.Empty(await Ndisc6Async(t, "ofc0", ExtV6));
        var ofcMac = await t.MacTextAsync(NamespaceOf(t, ofc), "eno3");
        Assert.Equal([ofcMac], (await ArpingProbesAsync(t, "ofc0", OfcV4, count: 1)).Replies);
        Assert.Equal([ofcMac], await Ndisc6Async(t, "ofc0", OfcV6));
        Assert.Empty((await ArpingProbesAsync(t, "ext0", OfcV4, count: 1)).Replies);
        Assert.Empty(await Ndisc6Async(t, "ext0", OfcV6));

        // An address in the pool that no Service holds is nobody's.
        Assert.Empty((await ArpingProbesAsync(t, "ext0", "192.0.2.200", count: 1)).Replies);
        Assert.Contains($"Announcing web/gateway {ExtV4} from {ext} on eno2", speakers[ext].Log, StringComparison.Ordinal);

        // MetalLB's metrics, scraped inside the winner's namespace (bash's /dev/tcp: no curl needed).
        var metrics = await ScrapeAsync(NamespaceOf(t, ext));
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("metallb_speaker_announced{", StringComparison.Ordinal) && l.Contains($"ip=\"{ExtV4}\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("metallb_layer2_responses_sent{", StringComparison.Ordinal) && l.Contains($"ip=\"{ExtV4}\"", StringComparison.Ordinal));
        // Running as root on this kernel, the winner answers from its tc programs, and says so.
        Assert.Contains("ironlb_layer2_responder{interface=\"eno2\",path=\"kernel\",protocol=\"arp\"} 1", metrics.Split('\n'));
        Assert.Contains("ironlb_layer2_responder{interface=\"eno2\",path=\"kernel\",protocol=\"ndp\"} 1", metrics.Split('\n'));
    }

    [Fact]
    public async Task Excluding_the_winner_in_the_files_moves_the_address_and_the_clients_neighbour_entry_follows()
    {
        Requirements.RootAndTools();
        WriteManifests();
        await using var t = await LanTopology.CreateAsync("ilbs-", "2001:db8:1::", "2001:db8:2::");
        var before = Elect(ExtV4, ExtV6, "external");

        // The periodic re-read is pushed out of the test's reach: only the file watcher can notice the edit.
        var speakers = await StartSpeakersAsync(t, "--reload-interval", "600s");
        var oldMac = await t.MacTextAsync(NamespaceOf(t, before), "eno2");
        Assert.Equal([oldMac], (await ArpingProbesAsync(t, "ext0", ExtV4, count: 1)).Replies);

        // A broken edit changes nothing: it is refused whole and the winner keeps answering.
        var broken = Path.Combine(_manifests, "broken.yaml");
        var mark = speakers[before].LineCount;
        File.WriteAllText(broken, "kind: [unclosed");
        await speakers[before].WaitForLogAsync("Manifests not usable, keeping the last good state (2 addresses)", mark);
        Assert.Equal([oldMac], (await ArpingProbesAsync(t, "ext0", ExtV4, count: 1)).Replies);
        File.Delete(broken);

        // The client knows the address at the winner, as after earlier traffic.
        foreach (var ip in new[] { ExtV4, ExtV6 })
        {
            await IpAsync("-n", t.Client, "neigh", "replace", ip, "lladdr", oldMac, "dev", "ext0", "nud", "stale");
        }

        var marks = speakers.ToDictionary(kv => kv.Key, kv => kv.Value.LineCount);
        WriteAtomically(Path.Combine(_manifests, "nodes", $"{before}.yaml"), Node(before, excluded: true));
        var after = Elect(ExtV4, ExtV6, "external");
        Assert.NotEqual(before, after);
        var newMac = await t.MacTextAsync(NamespaceOf(t, after), "eno2");

        await speakers[before].WaitForLogAsync($"Withdrawing web/gateway {ExtV4} on {before}: notOwner (winner {after})", marks[before]);
        await speakers[after].WaitForLogAsync($"Announcing web/gateway {ExtV4} from {after} on eno2", marks[after]);
        foreach (var ip in new[] { ExtV4, ExtV6 })
        {
            await WaitForAsync(
                async () => (await IpAsync("-n", t.Client, "neigh", "show", ip, "dev", "ext0")).Contains(newMac, StringComparison.OrdinalIgnoreCase),
                $"client's entry for {ip} to switch to {after}'s MAC {newMac}",
                describe: () => IpAsync("-n", t.Client, "neigh", "show", "dev", "ext0"));
        }

        var replies = (await ArpingProbesAsync(t, "ext0", ExtV4, count: 2)).Replies;
        Assert.NotEmpty(replies);
        Assert.All(replies, mac => Assert.Equal(newMac, mac));
        Assert.Equal([newMac], (await Ndisc6Async(t, "ext0", ExtV6)).Distinct());
    }

    [Fact]
    public async Task A_stopped_speaker_goes_quiet_in_the_kernel_within_its_liveness_window_and_answers_again_when_continued()
    {
        // SIGSTOP is a paused VM or a hung runtime as the LAN sees it: the tc program would go on replying from
        // its maps. Its answer deadline stops it. Five rounds, for the median in docs/performance.md.
        Requirements.RootAndTools();
        WriteManifests();
        await using var t = await LanTopology.CreateAsync("ilbs-", "2001:db8:1::", "2001:db8:2::");
        var ext = Elect(ExtV4, ExtV6, "external");
        var speakers = await StartSpeakersAsync(t, "--burst", "0");
        var winner = speakers[ext];
        var mac = await t.MacTextAsync(NamespaceOf(t, ext), "eno2");
        Assert.Equal([mac], (await ArpingProbesAsync(t, "ext0", ExtV4, count: 1)).Replies);
        Assert.Contains("ironlb_layer2_responder{interface=\"eno2\",path=\"kernel\",protocol=\"arp\"} 1", (await ScrapeAsync(NamespaceOf(t, ext))).Split('\n'));

        var window = new IronLb.Networking.Layer2Options().LivenessWindow;
        // The deadline is at most the window after the last refresh, which is before the stop took effect; the
        // slack covers tcpdump's timestamping and the kill command's own start-up, never the kernel's timing.
        var slack = TimeSpan.FromMilliseconds(250);
        await using var watch = await ArpReplyWatch.StartAsync(t.Client, "ext0", ExtV4);
        await using var signaller = Signaller.Start();
        var quietAfter = new List<TimeSpan>();
        var signalTook = new List<TimeSpan>();
        var backAfter = new List<TimeSpan>();
        for (var round = 0; round < 5; round++)
        {
            var flowing = DateTime.UtcNow;
            await WaitForAsync(() => watch.Since(flowing).Count >= 5, "replies to flow before the stop");
            var beforeStop = DateTime.UtcNow;
            DateTime continued;
            await signaller.SendAsync("STOP", winner.Id);
            var stopped = DateTime.UtcNow;
            signalTook.Add(stopped - beforeStop);
            try
            {
                // Quiet for three windows in a row: it has stopped, not paused between probes.
                await WaitForAsync(() => DateTime.UtcNow - stopped > 3 * window && DateTime.UtcNow - (watch.Last ?? stopped) > 3 * window, "replies to stop");
                var last = watch.Last ?? beforeStop;
                Assert.True(last <= stopped + window + slack, $"round {round}: replies went on {(last - stopped).TotalMilliseconds:F0} ms after SIGSTOP (window {window.TotalMilliseconds} ms)");
                quietAfter.Add(last - beforeStop);
            }
            finally
            {
                continued = DateTime.UtcNow;
                await signaller.SendAsync("CONT", winner.Id);
            }

            await WaitForAsync(() => watch.Since(continued).Count > 0, "replies to resume after SIGCONT");
            backAfter.Add(watch.Since(continued)[0] - continued);
        }

        Assert.False(winner.HasExited);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"SIGSTOP to last reply (ms): {Milliseconds(quietAfter)}; sending SIGSTOP took (ms): {Milliseconds(signalTook)}; SIGCONT to first reply (ms): {Milliseconds(backAfter)}");

        static string Milliseconds(List<TimeSpan> spans) => string.Join(' ', spans.Select(d => d.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private async Task<Dictionary<string, LoggedProcess>> StartSpeakersAsync(LanTopology t, params string[] extra)
    {
        var speakers = new Dictionary<string, LoggedProcess>(StringComparer.Ordinal);
        for (var n = 1; n <= 2; n++)
        {
            speakers[$"node{n}"] = t.Own(SpeakerProcess.Start(t.Node(n), $"node{n}", _manifests, ["--log-level", "debug", .. extra]));
        }

        foreach (var speaker in speakers.Values)
        {
            await speaker.WaitForLogAsync("Loaded manifests");
            foreach (var responder in new[] { "eno2 (Arp)", "eno2 (Ndp)", "eno3 (Arp)", "eno3 (Ndp)" })
            {
                await speaker.WaitForLogAsync($"Responder started on {responder}");
            }
        }

        return speakers;
    }

    /// <summary>Core's election over the manifests as they are now: the node that must answer.</summary>
    private string Elect(string v4, string v6, string pool)
    {
        var read = ManifestReader.Read([_manifests]);
        Assert.Empty(read.FatalErrors);
        Assert.Empty(read.Errors);
        var config = ConfigParser.Parse(read.Resources).Config ?? throw new InvalidOperationException("test manifests are invalid");
        var view = read.Services.Single(s => s.Annotations.Values.Any(v => v.Contains(v4, StringComparison.Ordinal)));
        var result = L2Election.Elect(new ElectionInput
        {
            Service = view with { IngressIps = [v4, v6] },
            FirstIp = v4,
            Pool = config.Pools.Single(p => p.Name == pool),
            Endpoints = new ServiceEndpoints([.. Speakers.Select(n => new EndpointView(n, Ready: true))]),
            Speakers = Speakers,
            Nodes = config.Nodes,
        });
        return result.Winner ?? throw new InvalidOperationException($"nobody wins {v4}: {result.Reason}");
    }

    private static async Task<string> ScrapeAsync(string ns) =>
        await CheckAsync("ip", "netns", "exec", ns, "bash", "-c",
            "exec 3<>/dev/tcp/127.0.0.1/7472 && printf 'GET /metrics HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3 && cat <&3");

    private static string NamespaceOf(LanTopology t, string node) => t.Node(int.Parse(node["node".Length..], System.Globalization.CultureInfo.InvariantCulture));

    private void WriteManifests()
    {
        Directory.CreateDirectory(Path.Combine(_manifests, "nodes"));
        File.WriteAllText(Path.Combine(_manifests, "metallb.yaml"), Pools);
        File.WriteAllText(Path.Combine(_manifests, "services.yaml"), Services);
        foreach (var node in Speakers)
        {
            File.WriteAllText(Path.Combine(_manifests, "nodes", $"{node}.yaml"), Node(node, excluded: false));
        }
    }

    private static string Node(string name, bool excluded) => $$"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {{name}}
          labels:
            kubernetes.io/hostname: {{name}}
        {{(excluded ? $"    {L2Election.ExcludeFromLoadBalancersLabel}: \"\"" : "")}}
        """;

    /// <summary>Write-then-rename, as editors and GitOps tools replace files, so no reader sees half a file.</summary>
    private static void WriteAtomically(string path, string text)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private static Task<(int Sent, List<string> Replies)> ArpingProbesAsync(LanTopology t, string device, string ip, int count, int wait = 2) =>
        LanProbe.ArpingAsync(t.Client, device, ip, count, wait);

    private static Task<List<string>> Ndisc6Async(LanTopology t, string device, string ip) => LanProbe.Ndisc6Async(t.Client, device, ip);
}
