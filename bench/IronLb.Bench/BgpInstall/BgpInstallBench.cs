using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using IronLb.Lab.Routers;
using static IronLb.Bench.L2Latency.HostCommands;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// Session Established → every announced prefix in the receiver's RIB (issue 19's target: 10,000 prefixes in under
/// 2 s). Per run and sender, two fresh namespaces joined by a veth: the receiver is FRR (bgpd with zebra, so the
/// routes also reach its kernel), the sender announces 10,000 IPv6 /128s on an IPv6 session and 736 IPv4 /32s on an
/// IPv4 one (<see cref="InstallPrefixes"/>). The receiver's `show bgp summary json` is polled; at the first reading
/// with every prefix received, that session's own age (peerUptimeMsec, counted by FRR from Established) is the
/// time, so the polling start is no part of it. Root, Linux.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class BgpInstallBench
{
    private const uint ReceiverAsn = 64512;
    private const uint SenderAsn = 64513;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    /// <summary>The baseline first; SEAM (issue 19): IronLB's speaker is added here as a second <see cref="IInstallSender"/>.</summary>
    public static readonly Func<IInstallSender>[] Senders = [() => new FrrSender()];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 5;
        var count = 10_000;
        if (!BenchArguments.TryApply("bgp-install", args, new Dictionary<string, Func<string, bool>>
            {
                ["--ipv6"] = v => BenchArguments.TryCount(v, out count),
            }, v => BenchArguments.TryCount(v, out runs)))
        {
            return 2;
        }

        var ipv4 = InstallPrefixes.Ipv4();
        var ipv6 = InstallPrefixes.Ipv6(count);
        BenchSupport.Print("bgp_install_ipv6_prefixes", ipv6.Length);
        BenchSupport.Print("bgp_install_ipv4_prefixes", ipv4.Length);
        BenchSupport.Print("bgp_install_runs", runs);
        var results = new List<(string Label, List<double> V6, List<double> V4)>();
        foreach (var make in Senders)
        {
            var (v6, v4) = (new List<double>(), new List<double>());
            string label = "";
            for (var run = 0; run < runs; run++)
            {
                await using var sender = make();
                label = sender.Label;
                var (t6, t4) = await OneRunAsync(sender, ipv4, ipv6).ConfigureAwait(false);
                v6.Add(t6);
                v4.Add(t4);
                Console.Error.WriteLine($"bgp-install: {label} run {run + 1}: ipv6 {t6:0} ms, ipv4 {t4:0} ms");
            }

            results.Add((label, v6, v4));
            foreach (var (family, values, n) in new[] { ("ipv6", v6, ipv6.Length), ("ipv4", v4, ipv4.Length) })
            {
                BenchSupport.Print($"bgp_install_{label}_{family}_{n}_median_ms", BenchSupport.Median(values));
                BenchSupport.Print($"bgp_install_{label}_{family}_{n}_p99_ms", BenchSupport.Percentile(values, 0.99));
            }
        }

        foreach (var other in results.Skip(1))
        {
            BenchSupport.Print($"bgp_install_{other.Label}_vs_{results[0].Label}_ipv6_ratio", BenchSupport.Median(other.V6) / BenchSupport.Median(results[0].V6));
            BenchSupport.Print($"bgp_install_{other.Label}_vs_{results[0].Label}_ipv4_ratio", BenchSupport.Median(other.V4) / BenchSupport.Median(results[0].V4));
        }

        return 0;
    }

    private static async Task<(double Ipv6, double Ipv4)> OneRunAsync(IInstallSender sender, System.Collections.Immutable.ImmutableArray<IPNetwork> ipv4, System.Collections.Immutable.ImmutableArray<IPNetwork> ipv6)
    {
        var id = $"ilbb-bgp-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var (receiverNs, senderNs) = ($"{id}-r", $"{id}-s");
        var state = Path.Combine(Path.GetTempPath(), id);
        FrrRouter? receiver = null;
        try
        {
            foreach (var ns in new[] { receiverNs, senderNs })
            {
                await Ip("netns", "add", ns).ConfigureAwait(false);
                await Ip("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
            }

            // Link addresses inside 198.51.100.224/27, which no announced prefix covers.
            await Ip("link", "add", "bgpb0", "netns", receiverNs, "type", "veth", "peer", "name", "bgpb0", "netns", senderNs).ConfigureAwait(false);
            foreach (var (ns, v4, v6) in new[] { (receiverNs, "198.51.100.225", "2001:db8:b9::1"), (senderNs, "198.51.100.226", "2001:db8:b9::2") })
            {
                await Ip("-n", ns, "addr", "add", $"{v4}/30", "dev", "bgpb0").ConfigureAwait(false);
                await Ip("-n", ns, "addr", "add", $"{v6}/64", "dev", "bgpb0", "nodad").ConfigureAwait(false);
                await Ip("-n", ns, "link", "set", "bgpb0", "up").ConfigureAwait(false);
            }

            var (r4, r6, s4, s6) = (IPAddress.Parse("198.51.100.225"), IPAddress.Parse("2001:db8:b9::1"), IPAddress.Parse("198.51.100.226"), IPAddress.Parse("2001:db8:b9::2"));
            receiver = await FrrRouter.StartAsync(new RouterSpec(receiverNs, receiverNs, Path.Combine(state, "r"), r4, ReceiverAsn)
            {
                Neighbours = [new BgpNeighbour(s4, RemoteAs.Of(SenderAsn)), new BgpNeighbour(s6, RemoteAs.Of(SenderAsn))],
            }).ConfigureAwait(false);
            // Polled from before the sender starts, so the first reading with the session Established is taken
            // within one poll of the real moment; the time is then the readings' difference on one monotonic clock.
            var watch = WatchAsync(receiver, s6, ipv6.Length, s4, ipv4.Length);
            await sender.StartAsync(new SenderPlace(senderNs, Path.Combine(state, "s"), s4, s6, r4, r6, SenderAsn, ReceiverAsn), ipv4, ipv6).ConfigureAwait(false);
            var (t6, t4) = await watch.ConfigureAwait(false);
            return (t6, t4);
        }
        finally
        {
            await sender.DisposeAsync().ConfigureAwait(false);
            if (receiver is not null)
            {
                await receiver.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var ns in new[] { receiverNs, senderNs })
            {
                await Run("ip", "netns", "del", ns).ConfigureAwait(false);
            }

            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    /// <summary>Per family, ms from the first reading with the session Established to the first with every prefix received.</summary>
    private static async Task<(double Ipv6, double Ipv4)> WatchAsync(FrrRouter receiver, IPAddress peer6, int expected6, IPAddress peer4, int expected4)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? up6 = null, up4 = null, done6 = null, done4 = null;
        while (done6 is null || done4 is null)
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"the receiver did not get every prefix within {Deadline}: {await receiver.VtyshAsync("show bgp summary json").ConfigureAwait(false)}");
            }

            var summary = await receiver.VtyshAsync("show bgp summary json").ConfigureAwait(false);
            var at = clock.Elapsed;
            var (state6, received6) = Read(summary, "ipv6Unicast", peer6);
            var (state4, received4) = Read(summary, "ipv4Unicast", peer4);
            up6 ??= state6 ? at : null;
            up4 ??= state4 ? at : null;
            done6 ??= state6 && received6 >= expected6 ? at : null;
            done4 ??= state4 && received4 >= expected4 ? at : null;
        }

        return ((done6!.Value - up6!.Value).TotalMilliseconds, (done4!.Value - up4!.Value).TotalMilliseconds);
    }

    /// <summary>Whether <paramref name="peer"/>'s session in <paramref name="family"/> is Established, and the prefixes it sent.</summary>
    private static (bool Established, int Received) Read(string summaryJson, string family, IPAddress peer)
    {
        try
        {
            using var document = JsonDocument.Parse(summaryJson);
            return document.RootElement.TryGetProperty(family, out var f) && f.TryGetProperty("peers", out var peers)
                && peers.TryGetProperty(peer.ToString(), out var p)
                && p.TryGetProperty("state", out var s) && s.GetString() == "Established"
                && p.TryGetProperty("pfxRcd", out var received)
                ? (true, received.GetInt32()) : (false, 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (false, 0);
        }
    }
}
