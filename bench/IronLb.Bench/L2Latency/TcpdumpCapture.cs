using System.Diagnostics;
using System.Globalization;

namespace IronLb.Bench.L2Latency;

/// <summary>The wire timestamps: tcpdump on the client's interface, and request/reply pairs read back from its output.</summary>
internal static class TcpdumpCapture
{
    /// <summary>
    /// Captures ARP and NDP on <paramref name="device"/> in <paramref name="ns"/> while <paramref name="traffic"/> runs,
    /// prints how many frames the kernel dropped from the capture, and returns the request→reply times in µs by
    /// address. The pcap (named after <paramref name="name"/>) is kept when IRONLB_BENCH_KEEP_CAPTURE is set;
    /// <paramref name="keyPrefix"/> goes before the printed key when a bench records more than once.
    /// </summary>
    public static async Task<Dictionary<string, List<double>>> RecordAsync(string ns, string device, string name, Func<Task> traffic, string keyPrefix = "")
    {
        var capture = Path.Combine(Path.GetTempPath(), $"{name}.pcap");
        using (var tcpdump = await StartAsync(ns, device, capture).ConfigureAwait(false))
        {
            await traffic().ConfigureAwait(false);
            // Packets still in an unretired TPACKET_V3 block are lost on SIGINT; blocks retire after tcpdump's 1 s
            // timeout, so wait that out. (--immediate-mode would wake tcpdump per packet and steal the CPU we measure.)
            await Task.Delay(TimeSpan.FromSeconds(2.5)).ConfigureAwait(false);
            await HostCommands.Run("sh", "-c", $"kill -INT {tcpdump.Id}").ConfigureAwait(false);
            await tcpdump.WaitForExitAsync().ConfigureAwait(false);
            var stats = await tcpdump.StandardError.ReadToEndAsync().ConfigureAwait(false);
            foreach (var line in stats.Split('\n').Where(l => l.Contains("dropped by kernel", StringComparison.Ordinal)))
            {
                Console.WriteLine($"{keyPrefix}capture_dropped_by_kernel: {line.Trim().Split(' ')[0]}");
            }
        }

        var text = await HostCommands.Run("tcpdump", "-r", capture, "-n", "-tt", "--time-stamp-precision=micro").ConfigureAwait(false);
        if (Environment.GetEnvironmentVariable("IRONLB_BENCH_KEEP_CAPTURE") is not { Length: > 0 })
        {
            File.Delete(capture);
        }

        return Latencies(text.Split('\n'));
    }

    /// <summary>tcpdump writing pcap (so printing never slows the capture); rendered with -r afterwards.</summary>
    private static async Task<Process> StartAsync(string ns, string device, string pcap)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "netns", "exec", ns, "tcpdump", "-i", device, "-n", "-Z", "root", "-B", "8192", "--time-stamp-precision=micro",
            "-w", pcap, "arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))",
        })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        while (await p.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line && !line.Contains("listening on", StringComparison.Ordinal))
        {
        }

        return p;
    }

    /// <summary>Pairs each request line with the next reply for the same address (tcpdump -tt, microsecond stamps).</summary>
    private static Dictionary<string, List<double>> Latencies(IEnumerable<string> lines)
    {
        var pending = new Dictionary<string, decimal>();
        var result = new Dictionary<string, List<double>>();
        foreach (var line in lines)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0 || !decimal.TryParse(line.AsSpan(0, space), NumberStyles.Float, CultureInfo.InvariantCulture, out var ts))
            {
                continue;
            }

            var (kind, address) = Classify(line);
            if (kind == 'q')
            {
                pending[address!] = ts;
            }
            else if (kind == 'r' && pending.Remove(address!, out var sent))
            {
                (result.TryGetValue(address!, out var list) ? list : result[address!] = []).Add((double)((ts - sent) * 1_000_000m));
            }
        }

        return result;
    }

    private static (char Kind, string? Address) Classify(string line)
    {
        static string Word(string line, string marker)
        {
            var i = line.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
            var end = line.IndexOfAny([' ', ','], i);
            return line[i..(end < 0 ? line.Length : end)];
        }

        return line switch
        {
            _ when line.Contains("Request who-has ", StringComparison.Ordinal) => ('q', Word(line, "Request who-has ")),
            _ when line.Contains("Reply ", StringComparison.Ordinal) && line.Contains(" is-at ", StringComparison.Ordinal) => ('r', Word(line, "Reply ")),
            _ when line.Contains("neighbor solicitation, who has ", StringComparison.Ordinal) => ('q', Word(line, "who has ")),
            _ when line.Contains("neighbor advertisement, tgt is ", StringComparison.Ordinal) => ('r', Word(line, "tgt is ")),
            _ => ('-', null),
        };
    }
}
