using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using IronLb.Networking.Egress;
using static IronLb.Bench.L2Latency.HostCommands;

namespace IronLb.Bench;

/// <summary>
/// One egress rule-set replacement on a node (issue 15's target: 1,000 Services re-point in under 100 ms):
/// the nftables transaction plus the rtnetlink rules and routes, for 1, 100 and 1,000 Services, each with an
/// IPv4 and an IPv6 entry, half translated and half steered over three next hops. Every replacement flips
/// every Service's role and rotates the next hops, so each one rewrites everything. Runs inside a namespace of
/// its own (a veth inside it holds the next hops' network); with strace on PATH, a second pass counts the
/// system calls of one replacement. Root, Linux. Roles: no role = orchestrate; "--inside" measures.
/// </summary>
internal static class EgressApplyBench
{
    private static readonly int[] Sizes = [1, 100, 1000];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 3 && args[0] == "--inside")
        {
            return Inside(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        var ns = $"ilbb-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}-egress";
        try
        {
            await Ip("netns", "add", ns).ConfigureAwait(false);
            await Ip("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
            // A veth pair with both ends inside (this kernel has no dummy module): d0 holds the next hops' network.
            await Ip("-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1").ConfigureAwait(false);
            await Ip("-n", ns, "link", "set", "d0", "up").ConfigureAwait(false);
            await Ip("-n", ns, "link", "set", "d1", "up").ConfigureAwait(false);
            await Ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", "d0").ConfigureAwait(false);
            await Ip("-n", ns, "addr", "add", "2001:db8:2::1/64", "dev", "d0", "nodad").ConfigureAwait(false);
            foreach (var size in Sizes)
            {
                Console.Write(await Run("ip", Self(ns, ["--inside", $"{size}", $"{runs}"]), check: true).ConfigureAwait(false));
                if (Which("strace") is { } strace)
                {
                    // Two passes, 0 and 10 replacements after the same set-up: the difference is ten replacements' calls.
                    var none = await CountAsync(ns, strace, size, 0).ConfigureAwait(false);
                    var ten = await CountAsync(ns, strace, size, 10).ConfigureAwait(false);
                    BenchSupport.Print($"egress_apply_{size}_syscalls", (ten - none) / 10.0);
                }
            }

            return 0;
        }
        finally
        {
            await Run("ip", "netns", "del", ns).ConfigureAwait(false);
        }
    }

    /// <summary>Network and polling system calls of the measuring process (strace -c), all threads.</summary>
    private static async Task<long> CountAsync(string ns, string strace, int size, int runs)
    {
        var file = Path.GetTempFileName();
        try
        {
            string[] command = [strace, "-f", "-c", "-o", file, "-e", "trace=%network,select,pselect6,poll,ppoll", .. Self(null, ["--inside", $"{size}", $"-{runs}"])];
            await Run("ip", ["netns", "exec", ns, .. command], check: true).ConfigureAwait(false);
            var total = File.ReadAllLines(file).LastOrDefault(l => l.TrimEnd().EndsWith("total", StringComparison.Ordinal));
            var calls = total?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return calls is { Length: >= 4 } ? long.Parse(calls[3], CultureInfo.InvariantCulture) : 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Inside the namespace: Clear, one warm-up Apply, then <paramref name="runs"/> timed replacements
    /// (a negative count: that many, untimed and silent, for strace), then Clear.</summary>
    private static int Inside(int size, int runs)
    {
        var silent = runs < 0;
        runs = Math.Abs(runs);
        using var programmer = new EgressProgrammer();
        EgressRuleSet[] sets = [Build(size, 0), Build(size, 1)];
        Check(programmer.Clear());
        Check(programmer.Apply(sets[0]));
        var times = new List<double>();
        using var self = Process.GetCurrentProcess();
        long messages = programmer.NetlinkMessages, transactions = programmer.NftTransactions;
        var cpuStart = self.TotalProcessorTime; // clock ticks (10 ms), so a mean over all runs, not a median
        for (var i = 1; i <= runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Check(programmer.Apply(sets[i % 2]));
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        if (!silent && runs > 0)
        {
            var sorted = times.Order().ToList();
            BenchSupport.Print($"egress_apply_{size}_median_ms", BenchSupport.Median(times));
            BenchSupport.Print($"egress_apply_{size}_p99_ms", sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)]);
            BenchSupport.Print($"egress_apply_{size}_max_ms", sorted[^1]);
            // CPU of the whole process (libnftables and the kernel's work in our system calls included): what the
            // replacement costs the node, whatever else competes for the CPUs meanwhile.
            self.Refresh();
            BenchSupport.Print($"egress_apply_{size}_cpu_mean_ms", (self.TotalProcessorTime - cpuStart).TotalMilliseconds / runs);
            BenchSupport.Print($"egress_apply_{size}_netlink_messages", (programmer.NetlinkMessages - messages) / (double)runs);
            BenchSupport.Print($"egress_apply_{size}_nft_transactions", (programmer.NftTransactions - transactions) / (double)runs);
            BenchSupport.Print($"egress_apply_{size}_json_kb", System.Text.Encoding.UTF8.GetByteCount(EgressNftRenderer.Render(sets[0], programmer.Options)) / 1024.0);
        }

        Check(programmer.Clear());
        return 0;
    }

    private static void Check(EgressApplyResult result)
    {
        if (result.Outcome == EgressApplyOutcome.Failed)
        {
            throw new InvalidOperationException($"egress-apply: {result.Reason}");
        }
    }

    /// <summary><paramref name="size"/> Services with two pods each. IPv4 has only the three documentation /24s,
    /// so IPv4 addresses repeat beyond 256 Services (the kernel does not mind); IPv6 ones are all distinct.</summary>
    private static EgressRuleSet Build(int size, int flip)
    {
        var entries = new List<EgressEntry>();
        for (var i = 0; i < size; i++)
        {
            var steer = (i + flip) % 2 == 1;
            var hop = (i + flip) % 3;
            var service = $"bench/svc-{i:D4}";
            entries.Add(Entry(service, $"203.0.113.{i % 256}", [$"198.51.100.{(2 * i) % 256}", $"198.51.100.{(2 * i + 1) % 256}"], steer, $"192.0.2.1{hop}"));
            entries.Add(Entry(service, $"2001:db8:200::{i:x}", [$"2001:db8:100::{2 * i:x}", $"2001:db8:100::{2 * i + 1:x}"], steer, $"2001:db8:2::1{hop}"));
        }

        return new EgressRuleSet
        {
            Entries = [.. entries],
            Excluded = [IPNetwork.Parse("198.51.100.0/28"), IPNetwork.Parse("2001:db8:100:ff::/64")],
        };
    }

    private static EgressEntry Entry(string service, string address, string[] sources, bool steer, string hop) => new()
    {
        Service = service,
        Family = IPAddress.Parse(address).AddressFamily,
        ServiceAddress = IPAddress.Parse(address),
        Sources = [.. sources.Select(IPAddress.Parse).Distinct().Order(Comparer<IPAddress>.Create((a, b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes())))],
        Role = steer ? EgressRole.Steer : EgressRole.Translate,
        NextHop = steer ? IPAddress.Parse(hop) : null,
    };

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    /// <summary>This same program (apphost, or `dotnet IronLb.Bench.dll`), inside <paramref name="ns"/> when given.</summary>
    private static string[] Self(string? ns, string[] args)
    {
        var process = Environment.ProcessPath!;
        string[] self = Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(EgressApplyBench).Assembly.Location] : [process];
        return ns is null ? [.. self, "egress-apply", .. args] : ["netns", "exec", ns, .. self, "egress-apply", .. args];
    }
}
