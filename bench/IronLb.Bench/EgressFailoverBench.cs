using System.Diagnostics;
using System.Globalization;
using IronLb.Lab.Processes;
using IronLb.Lab.Status;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>
/// Egress in the lab (root): a pod of mail/smtpout (labelled metaleg.de/rewriteSrcIP) on a node that does not
/// announce its address opens a new TCP connection to the external client every 20 ms, and tcpdump on the client
/// records every SYN and every ARP packet with kernel timestamps. Two series:
/// - kill: SIGKILL of the announcing node's speaker → the first SYN with the Service's address from the new owner's
///   MAC, and, as the baseline of the same run, the new owner's first ARP for the address (the L2 failover);
/// - label: the label put back on the Service (after removing it and seeing the pod's own address leave) → the
///   first SYN with the Service's address.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class EgressFailoverBench
{
    private const string Address = "192.0.2.193";
    private const string Client = "192.0.2.1";

    // A new connection every 20 ms, each closed after a second: every attempt is a SYN on the wire.
    private const string Sender = """
        import socket,time
        socks=[]
        while True:
            s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.setblocking(False)
            try: s.connect(('192.0.2.1',2525))
            except BlockingIOError: pass
            socks.append((time.monotonic(),s))
            while socks and socks[0][0]<time.monotonic()-1: socks.pop(0)[1].close()
            time.sleep(0.02)
        """;

    /// <param name="args">[runs] [nodes].</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var nodeCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var name = $"eb{Environment.ProcessId % 10000}";
        Process? sender = null;
        Capture? capture = null;
        try
        {
            await LabAsync("up", "--name", name, "--nodes", nodeCount.ToString(CultureInfo.InvariantCulture));
            var lab = await StatusAsync(name);
            var order = ElectionOrder(lab.Nodes.Select(n => n.Name), Address);
            var (owner, next) = (lab.Nodes.Single(n => n.Name == order[0]), lab.Nodes.Single(n => n.Name == order[1]));
            var pod = lab.Pods.Where(p => p.Service == "smtpout" && p.Node != owner.Name).OrderBy(p => p.Node == next.Name).First();
            Print("nodes", lab.Nodes.Length);
            Print("runs", runs);
            Console.WriteLine($"sender: {pod.Namespace}/{pod.Name} on {pod.Node}; owner {owner.Name}, next {next.Name}");

            var client = lab.Clients.Single(c => c.Lan == "external");
            capture = Capture.Start(client.Netns, client.Interface);
            await capture.ListeningAsync();
            sender = Process.Start(Info("ip", "netns", "exec", pod.Netns, "python3", "-c", Sender))!;

            var egress = new List<double>();
            var arp = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                await capture.SynAsync(Mac(owner), after: Now(), TimeSpan.FromSeconds(120));
                await Task.Delay(TimeSpan.FromSeconds(6)); // the previous run's gratuitous burst is over
                var pid = (await StatusAsync(name)).Nodes.Single(n => n.Name == owner.Name).SpeakerPid!.Value;
                var t0 = Now();
                Process.GetProcessById(pid).Kill();
                egress.Add(await capture.SynAsync(Mac(next), t0, TimeSpan.FromSeconds(30)) - t0);
                arp.Add(await capture.ArpAsync(Mac(next), t0, TimeSpan.FromSeconds(30)) - t0);
                Print($"kill_run_{i + 1:00}_egress_s", egress[^1]);
                Print($"kill_run_{i + 1:00}_arp_s", arp[^1]);
                await LabAsync("restart-speaker", "--name", name, "--node", owner.Name);
            }

            var label = new List<double>();
            var kubeconfig = lab.Kubeconfig;
            for (var i = 0; i < runs; i++)
            {
                await capture.SynAsync(Mac(owner), Now(), TimeSpan.FromSeconds(120));
                await CommandRunner.CheckAsync("kubectl", "--kubeconfig", kubeconfig, "label", "service", "smtpout", "-n", "mail", "metaleg.de/rewriteSrcIP-");
                await capture.SynFromOtherAsync(Now(), TimeSpan.FromSeconds(30));
                var t0 = Now();
                await CommandRunner.CheckAsync("kubectl", "--kubeconfig", kubeconfig, "label", "--overwrite", "service", "smtpout", "-n", "mail", "metaleg.de/rewriteSrcIP=true");
                label.Add(await capture.SynAsync(null, t0, TimeSpan.FromSeconds(30)) - t0);
                Print($"label_run_{i + 1:00}_s", label[^1]);
            }

            Summarize("kill_egress", egress);
            Summarize("kill_arp", arp);
            Print("kill_egress_over_arp_median_ratio", Median(egress) / Median(arp));
            Summarize("label_egress", label);
            return 0;
        }
        finally
        {
            sender?.Kill(entireProcessTree: true);
            capture?.Dispose();
            await LabAsync("down", "--name", name);
        }
    }

    private static double Now() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds;

    private static string Mac(NodeStatus node) => node.Interfaces.Single(i => i.Lan == "external").Mac!;

    private static void Summarize(string series, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        Print($"{series}_median_s", Median(sorted));
        Print($"{series}_p99_s", sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1]);
        Print($"{series}_max_s", sorted[^1]);
    }

    private static ProcessStartInfo Info(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    /// <summary>tcpdump on the client: SYNs to port 2525 and ARP, as (time, MAC, line), kept in arrival order.</summary>
    private sealed class Capture : IDisposable
    {
        private readonly Process _process;
        private readonly List<(double At, string Mac, string Line)> _lines = [];
        private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Capture(Process process) => _process = process;

        public static Capture Start(string netns, string device)
        {
            var process = Process.Start(Info("ip", "netns", "exec", netns, "tcpdump", "-i", device, "-n", "-l", "-tt", "-e", "--immediate-mode", "arp or (tcp dst port 2525 and tcp[tcpflags] & tcp-syn != 0)"))!;
            var capture = new Capture(process);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
                {
                    capture._listening.TrySetResult();
                }
            };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.Split(' ', 3) is [var at, var mac, _]
                    && double.TryParse(at, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                {
                    lock (capture._lines)
                    {
                        capture._lines.Add((seconds, mac, line));
                    }
                }
            };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            return capture;
        }

        public Task ListeningAsync() => _listening.Task.WaitAsync(TimeSpan.FromSeconds(30));

        /// <summary>The time of the first SYN after <paramref name="after"/> with the Service's address as source (from <paramref name="mac"/> when given).</summary>
        public Task<double> SynAsync(string? mac, double after, TimeSpan limit) =>
            FirstAsync(l => l.At > after && l.Line.Contains($" {Address}.", StringComparison.Ordinal) && l.Line.Contains("Flags [S]", StringComparison.Ordinal)
                && (mac is null || l.Mac.Equals(mac, StringComparison.OrdinalIgnoreCase)), limit, $"a SYN from {Address}{(mac is null ? "" : $" via {mac}")}");

        /// <summary>A SYN from any other source: the pod's own address leaves, so no egress rule applies.</summary>
        public Task<double> SynFromOtherAsync(double after, TimeSpan limit) =>
            FirstAsync(l => l.At > after && l.Line.Contains("Flags [S]", StringComparison.Ordinal) && !l.Line.Contains($" {Address}.", StringComparison.Ordinal), limit, "a SYN from the pod's own address");

        /// <summary>The new owner's first ARP packet for the address (its gratuitous ARP or a reply).</summary>
        public Task<double> ArpAsync(string mac, double after, TimeSpan limit) =>
            FirstAsync(l => l.At > after && l.Mac.Equals(mac, StringComparison.OrdinalIgnoreCase) && l.Line.Contains("ARP", StringComparison.Ordinal) && l.Line.Contains(Address, StringComparison.Ordinal), limit, $"an ARP for {Address} from {mac}");

        public void Dispose()
        {
            try
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        // Every line is kept, so two waits over the same moment (the SYN and the ARP of one failover) both find theirs.
        private async Task<double> FirstAsync(Func<(double At, string Mac, string Line), bool> match, TimeSpan limit, string what)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < limit)
            {
                lock (_lines)
                {
                    foreach (var line in _lines)
                    {
                        if (match(line))
                        {
                            return line.At;
                        }
                    }
                }

                await Task.Delay(20);
            }

            throw new TimeoutException($"no {what} within {limit.TotalSeconds} s");
        }
    }
}
