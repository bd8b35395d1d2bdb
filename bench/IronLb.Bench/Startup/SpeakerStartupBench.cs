using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using IronLb.Testing;
using IronLb.Testing.Network;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench.Startup;

/// <summary>
/// Start-up to first answer (root): `speaker-startup [RUNS] [--ironlb [LABEL=]PATH]... [--interval-ms N] [--name PREFIX]`.
/// A client and a node namespace on one LAN (<see cref="LanTopology"/>); the client asks who has the Service's
/// IPv4 and IPv6 address every N ms (<see cref="NeighbourProber"/>, raw sockets, answers timestamped as they
/// arrive); `ip netns exec NODE ironlb speaker --manifests` (<see cref="FileModeSpeaker"/>) is started and the time
/// from just before Process.Start to the first ARP reply and the first neighbour advertisement addressed to the
/// client is taken on the same monotonic clock, then the speaker is stopped with SIGTERM. One warm-up round (page
/// cache), then RUNS rounds, each running every variant once in turn, so load changes hit all variants alike; the
/// first variant is the baseline of the ratios. `netns_exec_ms` is what `ip netns exec` alone costs (it remounts
/// /sys for the namespace), included in every figure. File mode, not the lab: a cluster speaker's first answer
/// waits for the API server, the membership and the conflict probe, none of which is the binary's start-up.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SpeakerStartupBench
{
    private const string LanV6 = "2001:db8:51::";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopAfter = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 7;
        var interval = TimeSpan.FromMilliseconds(2);
        var prefix = "ilsu-";
        var variants = new List<IronLbVariant>();
        var usable = BenchArguments.TryApply("speaker-startup", args, new Dictionary<string, Func<string, bool>>(StringComparer.Ordinal)
        {
            ["--ironlb"] = IronLbVariant.Into(variants),
            ["--interval-ms"] = v =>
            {
                var ok = BenchArguments.TryCount(v, out var ms);
                interval = TimeSpan.FromMilliseconds(ms);
                return ok;
            },
            ["--name"] = BenchArguments.NamePrefix(v => prefix = v + "-"),
        }, v => BenchArguments.TryCount(v, out runs));
        if (!usable)
        {
            return 2;
        }

        if (variants.Count == 0)
        {
            variants.Add(IronLbVariant.Default());
        }

        await using var lan = await LanTopology.CreateAsync(prefix, LanV6, "2001:db8:52::");
        using var speaker = new FileModeSpeaker(LanV6);
        var node = lan.Node(1);
        Print("runs", runs);
        Print("probe_interval_ms", interval.TotalMilliseconds);
        Print("load_average_start", ProcessFootprint.LoadAverage());
        Print("netns_exec_ms", await NetnsExecMillisecondsAsync(node));

        var arp = variants.ToDictionary(v => v.Label, _ => new List<double>());
        var ndp = variants.ToDictionary(v => v.Label, _ => new List<double>());
        var userCpu = variants.ToDictionary(v => v.Label, _ => new List<double>());
        var systemCpu = variants.ToDictionary(v => v.Label, _ => new List<double>());
        for (var round = 0; round <= runs; round++)
        {
            foreach (var variant in variants)
            {
                var first = await OnceAsync(lan, speaker, variant.Command, interval);
                if (round == 0)
                {
                    continue; // warm-up: the binary and its libraries into the page cache
                }

                arp[variant.Label].Add(first.ArpMs);
                ndp[variant.Label].Add(first.NdpMs);
                userCpu[variant.Label].Add(first.UserCpuMs);
                systemCpu[variant.Label].Add(first.SystemCpuMs);
                Print($"{variant.Label}_run_{round:00}_first_arp_reply_ms", first.ArpMs);
            }
        }

        var baseline = variants[0].Label;
        foreach (var variant in variants)
        {
            var label = variant.Label;
            PrintRuns($"{label}_first_arp_reply", arp[label], "ms");
            PrintRuns($"{label}_first_ndp_reply", ndp[label], "ms");
            // CPU the speaker had used when the answers were in (10 ms ticks): the start-up's own cost, load aside;
            // system time is the kernel's work for it (the tc program's verification among it), which no runtime changes.
            Print($"{label}_cpu_to_first_answer_median_ms", Median(userCpu[label].Zip(systemCpu[label], (u, k) => u + k)));
            Print($"{label}_user_cpu_to_first_answer_median_ms", Median(userCpu[label]));
            Print($"{label}_system_cpu_to_first_answer_median_ms", Median(systemCpu[label]));
            if (label != baseline)
            {
                Print($"{label}_first_arp_reply_median_ratio_to_{baseline}", Median(arp[label]) / Median(arp[baseline]));
            }
        }

        Print("load_average_end", ProcessFootprint.LoadAverage());
        return 0;
    }

    /// <summary>One start: milliseconds from just before Process.Start to the first ARP and NDP answers, and the speaker's CPU then.</summary>
    private static async Task<(double ArpMs, double NdpMs, double UserCpuMs, double SystemCpuMs)> OnceAsync(LanTopology lan, FileModeSpeaker speaker, ImmutableArray<string> ironlb, TimeSpan interval)
    {
        IPAddress v4 = IPAddress.Parse(FileModeSpeaker.AddressV4), v6 = IPAddress.Parse(speaker.AddressV6);

        // A fresh prober per start keeps its lists short, so looking at them costs nothing while the speaker starts.
        using var prober = await NeighbourProber.StartAsync(lan.Client, "ext0", [v4, v6], interval);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        if (prober.Snapshot().Replies.Count > 0)
        {
            throw new InvalidOperationException("an answer before the speaker started: the last one is still running");
        }

        var started = prober.Now;
        var process = speaker.Start(lan.Node(1), ironlb);
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var replies = prober.Snapshot().Replies;
                var (arp, ndp) = (replies.FirstOrDefault(r => r.Answer.Address.Equals(v4)), replies.FirstOrDefault(r => r.Answer.Address.Equals(v6)));
                if (arp.Answer.Address is not null && ndp.Answer.Address is not null)
                {
                    var (user, system) = ProcessFootprint.CpuSplit(process.Id);
                    return ((arp.At - started).TotalMilliseconds, (ndp.At - started).TotalMilliseconds, user * 1000, system * 1000);
                }

                if (process.HasExited || clock.Elapsed > Limit)
                {
                    throw new InvalidOperationException($"no ARP and NDP answer within {Limit.TotalSeconds:0} s of `{string.Join(' ', ironlb)} speaker` (exited: {process.HasExited}):\n{process.Tail}");
                }

                await Task.Delay(20);
            }
        }
        finally
        {
            // A SIGTERM that arrives while the speaker is still starting is lost and it keeps running (seen 0.15-0.35 s
            // after exec for the AOT binary, 0.5-0.6 s for ReadyToRun), so the stop waits until start-up is long over.
            await Task.Delay(StopAfter);
            var (exit, took) = await process.StopAsync();
            if (exit != 0)
            {
                await Console.Error.WriteLineAsync($"speaker-startup: `{string.Join(' ', ironlb)} speaker` exited {exit} {took.TotalSeconds:0.0} s after SIGTERM; it wrote last:\n{process.Tail}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1)); // its withdrawal and the kernel's clean-up, before the next start
        }
    }

    /// <summary>`ip netns exec NS true`, median of five: the part of every figure that is not ironlb.</summary>
    private static async Task<double> NetnsExecMillisecondsAsync(string netns)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            await ProcessRunner.CheckAsync("ip", "netns", "exec", netns, "true");
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Median(times);
    }
}
