using System.Diagnostics;
using System.Globalization;
using IronLb.Lab.Processes;
using IronLb.Lab.Status;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>
/// Failover time in the lab (`ironlb-lab up`: KubeSim, the controller and one real `ironlb speaker` per node
/// namespace; root). For each run the announcing node of web/gateway (192.0.2.184) is killed with SIGKILL —
/// or, in the second series, has its links cut — and the time is taken from just before that to the first
/// ARP packet from the new owner's MAC seen by tcpdump on the client's interface (kernel timestamps, same
/// clock). Then the node is restored and the address allowed to return before the next run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class FailoverBench
{
    private const string Address = "192.0.2.184";
    private static readonly string[] Links = ["eno2", "eno3", "mgmt0"];

    /// <param name="args">
    /// [runs] [nodes] [--ironlb PATH] [--membership-protocol ring|mesh] [--name NAME]: PATH as for `ironlb-lab up --ironlb`
    /// (an image's binary, say); the protocol is handed to every speaker through a wrapper, as the lab passes no speaker
    /// flags; NAME is the lab's (default fb&lt;pid&gt;).
    /// </param>
    public static async Task<int> RunAsync(string[] args)
    {
        var (explicitIronLb, rest) = TakeOption(args, "--ironlb");
        var (protocol, others) = TakeOption(rest, "--membership-protocol");
        var (explicitName, positional) = TakeOption(others, "--name");
        var runs = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 20;
        var nodeCount = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 4;
        var name = explicitName ?? $"fb{Environment.ProcessId % 10000}";
        var wrapper = protocol is null ? null : SpeakerWrapper(explicitIronLb, protocol);
        string[] ironlb = (wrapper ?? explicitIronLb) is { } path ? ["--ironlb", path] : [];
        try
        {
            Console.WriteLine($"membership_protocol: {protocol ?? "default"}");
            await LabAsync(["up", "--name", name, "--nodes", nodeCount.ToString(CultureInfo.InvariantCulture), .. ironlb]);
            var lab = await StatusAsync(name);
            var order = ElectionOrder(lab.Nodes.Select(n => n.Name), Address);
            var (owner, next) = (lab.Nodes.Single(n => n.Name == order[0]), lab.Nodes.Single(n => n.Name == order[1]));
            Print("nodes", lab.Nodes.Length);
            Print("runs", runs);
            foreach (var node in lab.Nodes)
            {
                Print($"speaker_rss_mb_{node.Name}", RssMb(node.SpeakerPid!.Value));
            }

            var killed = new List<double>();
            var cut = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                await AnsweredByAsync(lab, owner, Address);
                killed.Add(await MeasureAsync(lab, next, async () =>
                {
                    var pid = (await StatusAsync(name)).Nodes.Single(n => n.Name == owner.Name).SpeakerPid!.Value;
                    var t0 = DateTimeOffset.UtcNow;
                    Process.GetProcessById(pid).Kill();
                    return t0;
                }));
                Print($"kill_run_{i + 1:00}_s", killed[^1]);
                await LabAsync("restart-speaker", "--name", name, "--node", owner.Name);
            }

            for (var i = 0; i < runs; i++)
            {
                await AnsweredByAsync(lab, owner, Address);
                cut.Add(await MeasureAsync(lab, next, async () =>
                {
                    var t0 = DateTimeOffset.UtcNow;
                    await SetLinksAsync(owner, "down");
                    return t0;
                }));
                Print($"cut_run_{i + 1:00}_s", cut[^1]);
                await SetLinksAsync(owner, "up");
            }

            Summarize("kill", killed);
            Summarize("cut", cut);
            return 0;
        }
        finally
        {
            await LabAsync("down", "--name", name);
            if (wrapper is not null)
            {
                File.Delete(wrapper);
            }
        }
    }

    /// <summary>The value after <paramref name="option"/> (null when absent) and the arguments without the pair.</summary>
    private static (string? Value, string[] Others) TakeOption(string[] args, string option)
    {
        var at = Array.IndexOf(args, option);
        return at < 0 || at + 1 >= args.Length ? (null, args) : (args[at + 1], [.. args[..at], .. args[(at + 2)..]]);
    }

    /// <summary>
    /// A shell script standing in for `ironlb` that adds `--membership-protocol` to the speaker command only (the
    /// controller runs the same binary). It runs the given ironlb, else the one the lab would find beside this bench.
    /// </summary>
    private static string SpeakerWrapper(string? explicitIronLb, string protocol)
    {
        if (protocol is not ("ring" or "mesh"))
        {
            throw new ArgumentException($"--membership-protocol takes ring or mesh, not {protocol}");
        }

        var real = Path.GetFullPath(explicitIronLb ?? AppContext.BaseDirectory);
        if (Directory.Exists(real))
        {
            real = File.Exists(Path.Combine(real, "ironlb")) ? Path.Combine(real, "ironlb") : Path.Combine(real, "ironlb.dll");
        }

        var run = real.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? $"dotnet '{real}'" : $"'{real}'";
        var wrapper = Path.Combine(Path.GetTempPath(), $"ironlb-{protocol}-{Environment.ProcessId}");
        File.WriteAllText(wrapper, $"""
            #!/bin/sh
            if [ "$1" = speaker ]; then
              shift
              exec {run} speaker --membership-protocol {protocol} "$@"
            fi
            exec {run} "$@"

            """);
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return wrapper;
    }

    /// <summary>Starts tcpdump on the client, waits for quiet (any gratuitous burst of the previous run is over), acts, and returns seconds from the action to the new owner's first ARP.</summary>
    private static async Task<double> MeasureAsync(LabStatus lab, NodeStatus next, Func<Task<DateTimeOffset>> act)
    {
        var client = ExternalClient(lab);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", client.Netns, "tcpdump", "-i", client.Interface, "-n", "-l", "-tt", "-e", "arp", "and", "ether", "src", ExternalMac(next) })
        {
            start.ArgumentList.Add(a);
        }

        using var dump = Process.Start(start)!;
        try
        {
            // tcpdump says "listening on" once its capture is open.
            while (await dump.StandardError.ReadLineAsync() is { } line && !line.Contains("listening on", StringComparison.Ordinal))
            {
            }

            var t0 = await act();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await dump.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.Contains(Address, StringComparison.Ordinal))
                {
                    var seen = double.Parse(line[..line.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                    return seen - (t0 - DateTimeOffset.UnixEpoch).TotalSeconds;
                }
            }

            throw new InvalidOperationException("tcpdump ended without an ARP from the new owner");
        }
        finally
        {
            dump.Kill();
            await dump.WaitForExitAsync();
        }
    }

    private static void Summarize(string series, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        Print($"{series}_failover_median_s", Median(sorted));
        Print($"{series}_failover_p90_s", sorted[(int)Math.Ceiling(sorted.Count * 0.9) - 1]);
        Print($"{series}_failover_min_s", sorted[0]);
        Print($"{series}_failover_max_s", sorted[^1]);
    }

    /// <summary>All links of a node down or up in one `ip -batch`, so a cut is one moment.</summary>
    private static async Task SetLinksAsync(NodeStatus node, string state)
    {
        var batch = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(batch, Links.Select(l => $"link set {l} {state}"));
            await CommandRunner.CheckAsync("ip", "-n", node.Netns, "-batch", batch);
        }
        finally
        {
            File.Delete(batch);
        }
    }
}
