using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using IronLb.Lab.Routers;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// Session Established → every announced prefix in the receiver's RIB (issue 19's target: 10,000 prefixes in under
/// 2 s), then the sender killed → its paths gone. Per run and sender, two fresh namespaces joined by a veth
/// (<see cref="BenchNet"/>): the receiver is FRR (bgpd with zebra, so the routes also reach its kernel), the sender
/// announces 10,000 IPv6 /128s on an IPv6 session and 736 IPv4 /32s on an IPv4 one (<see cref="InstallPrefixes"/>).
/// The receiver's `show bgp summary json` is polled from before the sender starts; the install time is from the first
/// reading with the session Established to the first with every prefix received, on one monotonic clock, so the
/// sender's own start-up is no part of it; that start-up (sender started → Established) is reported beside it.
/// Then <see cref="KillWithdrawal"/>. Runs alternate the senders, so a change in the machine's load hits both alike.
/// Root, Linux.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class BgpInstallBench
{
    private const uint ReceiverAsn = 64512;
    private const uint SenderAsn = 64513;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    /// <summary>The baseline first (the ratios divide by it), then IronLB's speaker.</summary>
    private static readonly Func<IronLbVariant, IInstallSender>[] Senders = [_ => new FrrSender(), v => new IronLbSender(v)];

    /// <summary>
    /// One run of one sender, in ms: install per family (from the first reading Established, and the upper bound from
    /// the last reading before it), start → Established per family, kill → no path (RIB, kernel), the poll spacing.
    /// </summary>
    private sealed record RunTimes(double Install6, double Install4, double Install6Upper, double Install4Upper, double Up6, double Up4, double KillRib, double KillKernel, double PollMs);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 5;
        var count = 10_000;
        IronLbVariant? variant = null;
        if (!BenchArguments.TryApply("bgp-install", args, new Dictionary<string, Func<string, bool>>
            {
                ["--ipv6"] = v => BenchArguments.TryCount(v, out count, minimum: InstallPrefixes.Ipv4().Length),
                ["--ironlb"] = v => (variant = IronLbVariant.Parse(v, 0)) is not null,
            }, v => BenchArguments.TryCount(v, out runs)))
        {
            return 2;
        }

        variant ??= IronLbVariant.Default();
        var ipv4 = InstallPrefixes.Ipv4();
        var ipv6 = InstallPrefixes.Ipv6(count);
        BenchSupport.Print("bgp_install_ipv6_prefixes", ipv6.Length);
        BenchSupport.Print("bgp_install_ipv4_prefixes", ipv4.Length);
        BenchSupport.Print("bgp_install_runs", runs);
        Console.Error.WriteLine($"bgp-install: ironlb is {string.Join(' ', variant.Command)}");
        var results = new List<(string Label, List<RunTimes> Runs)>();
        for (var run = 0; run < runs; run++)
        {
            for (var s = 0; s < Senders.Length; s++)
            {
                await using var sender = Senders[s](variant);
                if (results.Count <= s)
                {
                    results.Add((sender.Label, []));
                }

                var times = await OneRunAsync(sender, ipv4, ipv6).ConfigureAwait(false);
                results[s].Runs.Add(times);
                Console.Error.WriteLine($"bgp-install: {sender.Label} run {run + 1}: {times}");
            }
        }

        foreach (var (label, times) in results)
        {
            PrintRuns($"bgp_install_{label}_ipv6_{ipv6.Length}", times.Select(t => t.Install6));
            PrintRuns($"bgp_install_{label}_ipv4_{ipv4.Length}", times.Select(t => t.Install4));
            PrintRuns($"bgp_install_{label}_ipv6_{ipv6.Length}_upper", times.Select(t => t.Install6Upper));
            PrintRuns($"bgp_install_{label}_ipv4_{ipv4.Length}_upper", times.Select(t => t.Install4Upper));
            PrintRuns($"bgp_install_{label}_poll", times.Select(t => t.PollMs));
            PrintRuns($"bgp_install_{label}_start_to_established_ipv6", times.Select(t => t.Up6));
            PrintRuns($"bgp_install_{label}_start_to_established_ipv4", times.Select(t => t.Up4));
            PrintRuns($"bgp_kill_{label}_rib_empty", times.Select(t => t.KillRib), withMax: true);
            PrintRuns($"bgp_kill_{label}_kernel_empty", times.Select(t => t.KillKernel), withMax: true);
        }

        // Times depend on the machine's load (two cores shared with other builds); said beside them.
        BenchSupport.Print("bgp_install_load_average", ProcessFootprint.LoadAverage());
        var (baseLabel, baseline) = results[0];
        foreach (var (label, times) in results.Skip(1))
        {
            foreach (var (name, of) in new (string, Func<RunTimes, double>)[] { ("ipv6", t => t.Install6), ("ipv4", t => t.Install4) })
            {
                BenchSupport.Print($"bgp_install_{label}_vs_{baseLabel}_{name}_ratio", BenchSupport.Median(times.Select(of)) / BenchSupport.Median(baseline.Select(of)));
            }

            BenchSupport.Print($"bgp_kill_{label}_vs_{baseLabel}_rib_empty_ratio", BenchSupport.Median(times.Select(t => t.KillRib)) / BenchSupport.Median(baseline.Select(t => t.KillRib)));
        }

        return 0;
    }

    private static void PrintRuns(string prefix, IEnumerable<double> values, bool withMax = false)
    {
        var list = values.ToList();
        BenchSupport.Print($"{prefix}_median_ms", BenchSupport.Median(list));
        BenchSupport.Print($"{prefix}_p99_ms", BenchSupport.Percentile(list, 0.99));
        if (withMax)
        {
            BenchSupport.Print($"{prefix}_max_ms", list.Max());
        }
    }

    private static async Task<RunTimes> OneRunAsync(IInstallSender sender, ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6)
    {
        await using var net = new BenchNet();
        try
        {
            // Namespaces ilbb-PID-RANDOM-bbr/-bbs; the link is 198.51.100.224/30 and 2001:db8:b9::/64, which no
            // announced prefix covers. A is the receiver, B the sender.
            var (receiverNs, senderNs) = (await net.AddNamespaceAsync("bbr").ConfigureAwait(false), await net.AddNamespaceAsync("bbs").ConfigureAwait(false));
            var link = await net.LinkAsync(receiverNs, senderNs).ConfigureAwait(false);
            var receiver = await net.StartFrrAsync(receiverNs, link.A4, ReceiverAsn,
                new BgpNeighbour(link.B4, RemoteAs.Of(SenderAsn)), new BgpNeighbour(link.B6, RemoteAs.Of(SenderAsn))).ConfigureAwait(false);

            // Polled from before the sender starts, so the first reading with the session Established is taken
            // within one poll of the real moment; every time is a difference of readings on one monotonic clock.
            var watch = WatchAsync(receiver, link.B6, ipv6.Length, link.B4, ipv4.Length);
            var started = Stopwatch.GetTimestamp();
            var place = new SenderPlace(senderNs, Path.Combine(net.StateRoot, senderNs), link.B4, link.B6, link.A4, link.A6, SenderAsn, ReceiverAsn);
            await sender.StartAsync(place, ipv4, ipv6).ConfigureAwait(false);
            var seen = await watch.ConfigureAwait(false);
            var (killRib, killKernel) = await KillWithdrawal.MeasureAsync(receiver, receiverNs, sender.BgpPid).ConfigureAwait(false);
            return new RunTimes(
                Ms(seen.Up6, seen.Done6), Ms(seen.Up4, seen.Done4), Ms(seen.Down6, seen.Done6), Ms(seen.Down4, seen.Done4),
                Ms(started, seen.Up6), Ms(started, seen.Up4), killRib, killKernel, seen.PollMs);
        }
        catch (Exception e) when (sender is IronLbSender speaker && e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- the speaker's last lines:\n{speaker.Tail}", e);
        }
        finally
        {
            // Before the namespaces go: a speaker or bgpd must not outlive its namespace.
            await sender.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>
    /// Per family, the timestamps of the last reading before the session was Established, the first with it
    /// Established and the first with every prefix received; and the readings' median spacing (the resolution).
    /// </summary>
    private static async Task<WatchTimes> WatchAsync(FrrRouter receiver, IPAddress peer6, int expected6, IPAddress peer4, int expected4)
    {
        var clock = Stopwatch.StartNew();
        long? up6 = null, up4 = null, done6 = null, done4 = null;
        long down6 = 0, down4 = 0, previous = Stopwatch.GetTimestamp();
        var spacing = new List<double>();
        while (done6 is null || done4 is null)
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"the receiver did not get every prefix within {Deadline}: {await receiver.VtyshAsync("show bgp summary json").ConfigureAwait(false)}");
            }

            var summary = await receiver.VtyshAsync("show bgp summary json").ConfigureAwait(false);
            var at = Stopwatch.GetTimestamp();
            spacing.Add(Ms(previous, at));
            previous = at;
            var (state6, received6) = FrrSummary.Peer(summary, "ipv6Unicast", peer6);
            var (state4, received4) = FrrSummary.Peer(summary, "ipv4Unicast", peer4);
            down6 = up6 is null && !state6 ? at : down6;
            down4 = up4 is null && !state4 ? at : down4;
            up6 ??= state6 ? at : null;
            up4 ??= state4 ? at : null;
            done6 ??= state6 && received6 >= expected6 ? at : null;
            done4 ??= state4 && received4 >= expected4 ? at : null;
        }

        return new WatchTimes(down6, up6!.Value, done6.Value, down4, up4!.Value, done4.Value, BenchSupport.Median(spacing));
    }

    /// <summary>Stopwatch timestamps of the receiver's readings (see <see cref="WatchAsync"/>).</summary>
    private sealed record WatchTimes(long Down6, long Up6, long Done6, long Down4, long Up4, long Done4, double PollMs);
}
