using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using IronLb.Bench.Startup;
using IronLb.Lab.Routers;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// What BGP costs the speaker (root): `bgp-memory [RUNS] [--settle DURATION] [--ipv6 N] [--ironlb PATH]`. One speaker
/// namespace linked to two receiver namespaces (<see cref="BenchNet"/>), the same `ironlb speaker --manifests` and
/// the same N IPv6 Services (one /128 each, <see cref="BenchManifests"/>) in two modes: "bgp", two BGPPeers, one per
/// receiver, each an FRR of its own on an IPv6 session (two routers, as a node with two top-of-rack switches has;
/// one FRR taking two sessions would need the speaker to dial from two source addresses, which is not how nodes
/// peer); and "l2", an L2Advertisement on the first link instead and no router. At the settle time after the start
/// (by which "bgp" must have every prefix in both receivers) /proc/PID/smaps_rollup is read
/// (<see cref="ProcessFootprint"/>); runs alternate the modes, medians are printed, and bgp/l2 ratios.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class BgpMemoryBench
{
    private const uint ReceiverAsn = 64512;
    private const uint SpeakerAsn = 64513;
    private static readonly string[] Modes = ["bgp", "l2"];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 3;
        var count = 10_000;
        var settle = TimeSpan.FromSeconds(30);
        IronLbVariant? variant = null;
        if (!BenchArguments.TryApply("bgp-memory", args, new Dictionary<string, Func<string, bool>>(StringComparer.Ordinal)
            {
                ["--ipv6"] = v => BenchArguments.TryCount(v, out count),
                ["--settle"] = v => BenchArguments.TryDuration(v, out settle, positive: true),
                ["--ironlb"] = v => (variant = IronLbVariant.Parse(v, 0)) is not null,
            }, v => BenchArguments.TryCount(v, out runs)))
        {
            return 2;
        }

        variant ??= IronLbVariant.Default();
        var ipv6 = InstallPrefixes.Ipv6(count);
        Print("bgp_memory_services", ipv6.Length);
        Print("bgp_memory_runs", runs);
        Print("bgp_memory_settle_s", settle.TotalSeconds);
        Console.Error.WriteLine($"bgp-memory: ironlb is {string.Join(' ', variant.Command)}");
        var readings = Modes.ToDictionary(m => m, _ => new List<IReadOnlyDictionary<string, double>>());
        var installed = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            foreach (var mode in Modes)
            {
                var (memory, installedMs) = await OneRunAsync(mode, variant, ipv6, settle).ConfigureAwait(false);
                readings[mode].Add(memory);
                if (installedMs is { } ms)
                {
                    installed.Add(ms);
                }

                Console.Error.WriteLine($"bgp-memory: {mode} run {run + 1}: {string.Join(", ", memory.Select(kv => $"{kv.Key} {kv.Value:0.0}"))}");
            }
        }

        // Times depend on the machine's load (two cores shared with other builds); said beside them.
        BenchSupport.Print("bgp_memory_load_average", ProcessFootprint.LoadAverage());
        foreach (var mode in Modes)
        {
            ProcessFootprint.PrintMedians($"bgp_memory_{mode}", readings[mode]);
        }

        Print("bgp_memory_bgp_start_to_both_peers_installed_median_ms", Median(installed));
        foreach (var key in new[] { "rss_mb", "pss_mb", "private_dirty_mb" })
        {
            Print($"bgp_memory_bgp_vs_l2_{key}_ratio", Median(readings["bgp"].Select(r => r[key])) / Median(readings["l2"].Select(r => r[key])));
        }

        return 0;
    }

    /// <summary>One speaker in one mode: its memory at the settle time, and (bgp) ms from its start to every prefix in both receivers.</summary>
    private static async Task<(IReadOnlyDictionary<string, double> Memory, double? InstalledMs)> OneRunAsync(
        string mode, IronLbVariant variant, ImmutableArray<IPNetwork> ipv6, TimeSpan settle)
    {
        await using var net = new BenchNet();
        FileModeSpeaker.Run? speaker = null;
        try
        {
            var speakerNs = await net.AddNamespaceAsync("bbms").ConfigureAwait(false);
            var links = new List<BenchLink>();
            var receivers = new List<FrrRouter>();
            foreach (var role in new[] { "bbm1", "bbm2" })
            {
                var ns = await net.AddNamespaceAsync(role).ConfigureAwait(false);
                var link = await net.LinkAsync(ns, speakerNs).ConfigureAwait(false);
                links.Add(link);
                if (mode == "bgp")
                {
                    receivers.Add(await net.StartFrrAsync(ns, link.A4, ReceiverAsn, new BgpNeighbour(link.B6, RemoteAs.Of(SpeakerAsn))).ConfigureAwait(false));
                }
            }

            var yaml = mode == "bgp"
                ? BenchManifests.Bgp(SpeakerAsn, ReceiverAsn, links.Select(l => l.A6), [], ipv6)
                : BenchManifests.Layer2(links[0].Device, [], ipv6);
            var folder = BenchManifests.WriteFolder(Path.Combine(net.StateRoot, speakerNs, "manifests"), yaml);
            var started = Stopwatch.GetTimestamp();
            speaker = IronLbSender.Start(speakerNs, variant, folder);
            double? installedMs = null;
            if (mode == "bgp")
            {
                await AllInstalledAsync(receivers, links, ipv6.Length, started + (long)(settle.TotalSeconds * Stopwatch.Frequency)).ConfigureAwait(false);
                installedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            var left = settle - Stopwatch.GetElapsedTime(started);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left).ConfigureAwait(false);
            }

            if (speaker.HasExited)
            {
                throw new InvalidOperationException($"the speaker exited:\n{speaker.Tail}");
            }

            var memory = new OrderedDictionary<string, double>(ProcessFootprint.Memory(speaker.Id))
            {
                ["peak_rss_mb"] = ProcessFootprint.PeakRssMb(speaker.Id),
                ["cpu_s"] = ProcessFootprint.CpuSeconds(speaker.Id),
            };
            return (memory, installedMs);
        }
        catch (Exception e) when (speaker is not null && e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- the speaker's last lines:\n{speaker.Tail}", e);
        }
        finally
        {
            // Before the namespaces go: the speaker must not outlive its namespace.
            if (speaker is not null)
            {
                await speaker.StopAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Polls every receiver until the speaker's session there is Established with every prefix; throws at <paramref name="deadline"/> (a Stopwatch timestamp).</summary>
    private static async Task AllInstalledAsync(List<FrrRouter> receivers, List<BenchLink> links, int expected, long deadline)
    {
        for (var i = 0; i < receivers.Count; i++)
        {
            while (true)
            {
                var summary = await receivers[i].VtyshAsync("show bgp summary json").ConfigureAwait(false);
                var (established, received) = FrrSummary.Peer(summary, "ipv6Unicast", links[i].B6);
                if (established && received >= expected)
                {
                    break;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"receiver {i + 1} did not hold all {expected} prefixes by the settle time (raise --settle): {summary}");
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }
}
