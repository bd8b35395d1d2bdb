using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using IronLb.Networking;
using IronLb.Networking.Packets;
using IronLb.Networking.Sockets;

namespace IronLb.Bench;

/// <summary>
/// ARP and NDP reply latency on the wire: a client namespace sends requests alternately for an address the
/// node's kernel owns (configured on eno2) and one our <see cref="Layer2Announcer"/> announces on the same
/// eno2, waiting for each reply; tcpdump on the client's interface timestamps request and reply. Also the
/// announcer process's memory with 1,000 announced addresses. Needs root (network namespaces).
/// Roles: no role = orchestrate; "--responder" and "--client" run inside the namespaces.
/// </summary>
internal static class L2LatencyBench
{
    private const string KernelV4 = "192.0.2.11";
    private const string OursV4 = "192.0.2.100";
    private const string KernelV6 = "2001:db8:2::11";
    private const string OursV6 = "2001:db8:2::100";
    private const string ClientV6 = "2001:db8:2::1";
    private const int Samples = 1000;
    private const int Warmup = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "--responder")
        {
            return await ResponderAsync(ParseOptions(args[1..])).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "--client")
        {
            return Client(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        }

        ParseOptions(args); // fail early on a bad option, before any namespace exists
        return await OrchestrateAsync(args).ConfigureAwait(false);
    }

    /// <summary>
    /// The responder's tuning, product defaults unless given: --threads one|percpu, --slice-us N (EEVDF time
    /// slice, 0 = kernel default), --rt PRIORITY (SCHED_FIFO), --spin-us N (poll that long after each frame),
    /// --kernel on|off (ARP and NDP answered by the tc programs, or by the userspace responders only).
    /// </summary>
    private static Layer2Options ParseOptions(string[] args)
    {
        var options = new Layer2Options { GratuitousWindow = TimeSpan.Zero };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--threads" => options with { Threading = value == "one" ? Layer2Threading.OneThread : value == "percpu" ? Layer2Threading.PerCpu : throw new ArgumentException($"--threads {value}") },
                "--slice-us" => options with { ResponderTimeSlice = value == "0" ? null : TimeSpan.FromMicroseconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                "--rt" => options with { RealtimePriority = int.Parse(value, CultureInfo.InvariantCulture) },
                "--spin-us" => options with { SpinAfterFrame = TimeSpan.FromMicroseconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                "--kernel" => options with { KernelReplies = value == "on" || (value == "off" ? false : throw new ArgumentException($"--kernel {value}")) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }

        return options;
    }

    private static async Task<int> OrchestrateAsync(string[] options)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        string node = $"ilbb-{id}-node", client = $"ilbb-{id}-client";
        Process? responder = null;
        try
        {
            foreach (var ns in new[] { node, client })
            {
                await Ip("netns", "add", ns).ConfigureAwait(false);
                await Ip("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
                // Shell writes to /proc/sys rather than sysctl(8), so nothing beyond iproute2 and tcpdump is needed.
                await Run("ip", "netns", "exec", ns, "sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad").ConfigureAwait(false);
            }

            // One veth pair: the kernel's address and ours live on the same eno2, so both answer over the same path.
            await Ip("-n", node, "link", "add", "eno2", "type", "veth", "peer", "name", "ext0", "netns", client).ConfigureAwait(false);
            await Ip("-n", node, "link", "set", "eno2", "up").ConfigureAwait(false);
            await Ip("-n", client, "link", "set", "ext0", "up").ConfigureAwait(false);
            await Ip("-n", node, "addr", "add", $"{KernelV4}/24", "dev", "eno2").ConfigureAwait(false);
            await Ip("-n", node, "addr", "add", $"{KernelV6}/64", "dev", "eno2", "nodad").ConfigureAwait(false);
            await Ip("-n", client, "addr", "add", "192.0.2.1/24", "dev", "ext0").ConfigureAwait(false);
            await Ip("-n", client, "addr", "add", $"{ClientV6}/64", "dev", "ext0", "nodad").ConfigureAwait(false);

            responder = StartSelf(node, ["--responder", .. options]);
            await Expect(responder, "ready").ConfigureAwait(false);
            await Command(responder, $"announce {OursV4}").ConfigureAwait(false);
            await Command(responder, $"announce {OursV6}").ConfigureAwait(false);

            // Warm both paths (JIT, caches, neighbour state) outside the capture.
            await RunSelf(client, "--client", "arp", "ext0", Warmup.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            await RunSelf(client, "--client", "ndp", "ext0", Warmup.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);

            var capture = Path.Combine(Path.GetTempPath(), $"ilbb-{id}.pcap");
            using (var tcpdump = await StartCapture(client, capture).ConfigureAwait(false))
            {
                await RunSelf(client, "--client", "arp", "ext0", Samples.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await RunSelf(client, "--client", "ndp", "ext0", Samples.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                // Packets still in an unretired TPACKET_V3 block are lost on SIGINT; blocks retire after tcpdump's 1 s
                // timeout, so wait that out. (--immediate-mode would wake tcpdump per packet and steal the CPU we measure.)
                await Task.Delay(TimeSpan.FromSeconds(2.5)).ConfigureAwait(false);
                await Run("sh", "-c", $"kill -INT {tcpdump.Id}").ConfigureAwait(false);
                await tcpdump.WaitForExitAsync().ConfigureAwait(false);
                var stats = await tcpdump.StandardError.ReadToEndAsync().ConfigureAwait(false);
                foreach (var line in stats.Split('\n').Where(l => l.Contains("dropped by kernel", StringComparison.Ordinal)))
                {
                    Console.WriteLine($"capture_dropped_by_kernel: {line.Trim().Split(' ')[0]}");
                }
            }

            var text = await Run("tcpdump", "-r", capture, "-n", "-tt", "--time-stamp-precision=micro").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("IRONLB_BENCH_KEEP_CAPTURE") is not { Length: > 0 })
            {
                File.Delete(capture);
            }

            var latencies = Parse(text.Split('\n'));
            Console.WriteLine($"responder_options: {(options.Length == 0 ? "defaults" : string.Join(' ', options))}");
            var kernel = (await Command(responder, "kernel").ConfigureAwait(false)).Split(' ')[2..];
            Console.WriteLine($"arp_answered_by: {(kernel.Contains("eno2/arp") ? "kernel (tc program)" : "userspace")}");
            Console.WriteLine($"ndp_answered_by: {(kernel.Contains("eno2/ndp") ? "kernel (tc program)" : "userspace")}");
            Report("arp", latencies, KernelV4, OursV4);
            Report("ndp", latencies, KernelV6, OursV6);

            var baseline = await Command(responder, "mem").ConfigureAwait(false);
            await Command(responder, "bulk 1000").ConfigureAwait(false);
            var loaded = await Command(responder, "mem").ConfigureAwait(false);
            Console.WriteLine($"memory_rss_2_addresses_mb: {baseline.Split(' ')[2]}");
            Console.WriteLine($"memory_rss_1002_addresses_mb: {loaded.Split(' ')[2]}");
            Console.WriteLine($"managed_heap_2_addresses_kb: {baseline.Split(' ')[3]}");
            Console.WriteLine($"managed_heap_1002_addresses_kb: {loaded.Split(' ')[3]}");
            Console.WriteLine($"bpf_memory_2_addresses_kb: {baseline.Split(' ')[5]}");
            Console.WriteLine($"bpf_memory_1002_addresses_kb: {loaded.Split(' ')[5]}");
            ReportProgramCost();
            return 0;
        }
        finally
        {
            if (responder is not null)
            {
                try
                {
                    await responder.StandardInput.WriteLineAsync("quit").ConfigureAwait(false);
                    await responder.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    responder.Kill(entireProcessTree: true);
                }

                responder.Dispose();
            }

            foreach (var ns in new[] { node, client })
            {
                var pids = await Run("ip", "netns", "pids", ns).ConfigureAwait(false);
                foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        using var p = Process.GetProcessById(int.Parse(pid.Trim(), CultureInfo.InvariantCulture));
                        p.Kill();
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                    {
                        // Already gone.
                    }
                }

                await Run("ip", "netns", "del", ns).ConfigureAwait(false);
            }
        }
    }

    private static void Report(string protocol, Dictionary<string, List<double>> latencies, string kernel, string ours)
    {
        var k = latencies.GetValueOrDefault(kernel) ?? [];
        var o = latencies.GetValueOrDefault(ours) ?? [];
        Console.WriteLine($"{protocol}_samples_kernel: {k.Count}");
        Console.WriteLine($"{protocol}_samples_ironlb: {o.Count}");
        Console.WriteLine($"{protocol}_kernel_median_us: {Percentile(k, 0.50):F1}");
        Console.WriteLine($"{protocol}_kernel_p99_us: {Percentile(k, 0.99):F1}");
        Console.WriteLine($"{protocol}_ironlb_median_us: {Percentile(o, 0.50):F1}");
        Console.WriteLine($"{protocol}_ironlb_p99_us: {Percentile(o, 0.99):F1}");
        Console.WriteLine($"{protocol}_ironlb_max_us: {(o.Count == 0 ? double.NaN : o.Max()):F1}");
        Console.WriteLine($"{protocol}_median_ratio: {Percentile(o, 0.50) / Percentile(k, 0.50):F2}");
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>Pairs each request line with the next reply for the same address (tcpdump -tt, microsecond stamps).</summary>
    private static Dictionary<string, List<double>> Parse(IEnumerable<string> lines)
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

    /// <summary>
    /// What the tc program costs per frame, as the kernel times it (BPF_PROG_TEST_RUN, a million runs, no
    /// frame leaves the machine): for the requests it answers and, the figure every other frame on the
    /// interface pays, for ordinary IPv4 and IPv6 traffic it hands on.
    /// </summary>
    private static void ReportProgramCost()
    {
        Networking.Ebpf.KernelResponder opened;
        try
        {
            opened = Networking.Ebpf.KernelResponder.Open();
        }
        catch (Networking.Ebpf.BpfException e)
        {
            Console.WriteLine($"kernel_program_cost: not measured ({e.Reason})");
            return;
        }

        using var kernel = opened;
        kernel.AddForTestRun(new Networking.Interfaces.InterfaceInfo("eno2", 1, MacAddress.Parse("02:00:00:00:00:aa"), Networking.Interfaces.InterfaceFlags.Up, 1, false, null));
        _ = kernel.Sync(AnnounceTable.Create(new[] { OursV4, OursV6 }.Select(a => KeyValuePair.Create(IPAddress.Parse(a), InterfaceSelection.All))));
        var client = MacAddress.Parse("02:00:00:00:00:bb");
        var arp = new byte[ArpPacket.FrameLength];
        new ArpPacket(ArpPacket.OpRequest, client, Bits4("192.0.2.1"), default, Bits4(OursV4)).WriteFrame(arp, MacAddress.Broadcast, client);
        var ns = new byte[NeighborAdvertisement.FrameLength];
        NeighborSolicitation.WriteFrame(ns, client, Bits6(ClientV6), Bits6(OursV6), client);
        var tcp4 = new byte[EthernetHeader.Length + 40];
        new EthernetHeader(MacAddress.Parse("02:00:00:00:00:aa"), client, 0x0800).Write(tcp4);
        tcp4[EthernetHeader.Length] = 0x45;
        tcp4[EthernetHeader.Length + 9] = 6;
        var tcp6 = new byte[EthernetHeader.Length + 60];
        new EthernetHeader(MacAddress.Parse("02:00:00:00:00:aa"), client, EthernetHeader.EtherTypeIpv6).Write(tcp6);
        new Ipv6Header(20, 6, 64, Bits6(ClientV6), Bits6(OursV6)).Write(tcp6.AsSpan(EthernetHeader.Length));
        const int Runs = 1_000_000;
        foreach (var (name, frame) in new[] { ("arp_request", arp), ("ndp_solicitation", ns), ("other_ipv4", tcp4), ("other_ipv6", tcp6) })
        {
            Console.WriteLine($"kernel_program_ns_{name}: {Networking.Ebpf.Bpf.TestRun(kernel.Program, frame, Runs).AverageNanoseconds}");
        }

        static uint Bits4(string address) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes());

        static UInt128 Bits6(string address) => BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(address).GetAddressBytes());
    }

    /// <summary>In the node namespace: the real announcer, driven over stdin.</summary>
    private static async Task<int> ResponderAsync(Layer2Options options)
    {
        await using var announcer = new Layer2Announcer(options);
        await announcer.StartAsync().ConfigureAwait(false);
        var table = AnnounceTable.Empty;
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (w[0])
            {
                case "announce":
                    table = table.With(IPAddress.Parse(w[1]), InterfaceSelection.Only("eno2"));
                    announcer.SetTable(table);
                    break;
                case "bulk":
                    // Documentation prefixes only: half IPv4 (198.51.100.0/24, 203.0.113.0/24), half IPv6.
                    var n = int.Parse(w[1], CultureInfo.InvariantCulture);
                    var extra = Enumerable.Range(0, n).Select(i => i % 2 == 0
                        ? IPAddress.Parse(i / 2 < 250 ? $"198.51.100.{1 + (i / 2)}" : $"203.0.113.{1 + (i / 2) - 250}")
                        : IPAddress.Parse($"2001:db8:5::{(i / 2) + 1:x}"));
                    table = AnnounceTable.Create(table.Addresses.Concat(extra).Select(a => KeyValuePair.Create(a, InterfaceSelection.Only("eno2"))));
                    announcer.SetTable(table);
                    break;
                case "kernel":
                    Console.WriteLine($"ready kernel {string.Join(' ', announcer.KernelResponders)}");
                    continue;
                case "mem":
                    var heap = GC.GetTotalMemory(forceFullCollection: true);
                    using (var self = Process.GetCurrentProcess())
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready mem {self.WorkingSet64 / 1048576.0:F1} {heap / 1024.0:F0} {table.Count} {KernelMemoryKb()}"));
                    }

                    continue;
                case "quit":
                    await announcer.StopAsync().ConfigureAwait(false);
                    return 0;
            }

            Console.WriteLine($"ready {w[0]}");
        }

        return 0;
    }

    /// <summary>
    /// Kernel memory of this process's BPF maps and programs (the "memlock" the kernel reports per object in
    /// /proc/self/fdinfo), which RSS does not show; 0 when the userspace responders answer alone.
    /// </summary>
    private static long KernelMemoryKb()
    {
        long bytes = 0;
        foreach (var info in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            try
            {
                foreach (var line in File.ReadLines(info))
                {
                    if (line.StartsWith("memlock:", StringComparison.Ordinal))
                    {
                        bytes += long.Parse(line["memlock:".Length..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return bytes / 1024;
    }

    /// <summary>In the client namespace: alternate kernel/ours requests, each waiting for its reply, ~1 ms apart.</summary>
    private static int Client(string protocol, string device, int count)
    {
        var index = int.Parse(File.ReadAllText($"/sys/class/net/{device}/ifindex").Trim(), CultureInfo.InvariantCulture);
        var mac = MacAddress.Parse(File.ReadAllText($"/sys/class/net/{device}/address").Trim());
        var arp = protocol == "arp";
        using var socket = PacketSocket.Open(index, arp ? EthernetHeader.EtherTypeArp : EthernetHeader.EtherTypeIpv6);
        var request = new byte[128];
        var buffer = new byte[2048];
        var lost = 0;
        for (var i = 0; i < count * 2; i++)
        {
            var target = i % 2 == 0 ? (arp ? KernelV4 : KernelV6) : (arp ? OursV4 : OursV6);
            var targetBytes = IPAddress.Parse(target).GetAddressBytes();
            int n;
            if (arp)
            {
                n = new ArpPacket(ArpPacket.OpRequest, mac, BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse("192.0.2.1").GetAddressBytes()), default, BinaryPrimitives.ReadUInt32BigEndian(targetBytes))
                    .WriteFrame(request, MacAddress.Broadcast, mac);
            }
            else
            {
                n = NeighborSolicitation.WriteFrame(request, mac, BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(ClientV6).GetAddressBytes()), BinaryPrimitives.ReadUInt128BigEndian(targetBytes), mac);
            }

            socket.Send(request.AsSpan(0, n));
            if (!AwaitReply(socket, buffer, arp, targetBytes))
            {
                lost++;
            }

            Thread.Sleep(1);
        }

        Console.WriteLine($"ready client {protocol} lost={lost}");
        return 0;
    }

    private static bool AwaitReply(PacketSocket socket, byte[] buffer, bool arp, byte[] target)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 500)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                continue;
            }

            if (arp && n >= 42 && buffer[21] == 2 && buffer.AsSpan(28, 4).SequenceEqual(target))
            {
                return true;
            }

            if (!arp && n >= 78 && buffer[20] == 58 && buffer[54] == 136 && buffer.AsSpan(62, 16).SequenceEqual(target))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>tcpdump writing pcap (so printing never slows the capture); rendered with -r afterwards.</summary>
    private static async Task<Process> StartCapture(string ns, string pcap)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "netns", "exec", ns, "tcpdump", "-i", "ext0", "-n", "-Z", "root", "-B", "8192", "--time-stamp-precision=micro",
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

    private static Process StartSelf(string ns, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in SelfCommand(ns, args))
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    private static async Task RunSelf(string ns, params string[] args)
    {
        var output = await Run("ip", SelfCommand(ns, args), check: true).ConfigureAwait(false);
        if (!output.Contains("lost=0", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"l2-latency: {output.Trim()}").ConfigureAwait(false);
        }
    }

    /// <summary>This same program, inside a namespace: via the apphost, or `dotnet IronLb.Bench.dll` when run that way.</summary>
    private static string[] SelfCommand(string ns, string[] args)
    {
        var process = Environment.ProcessPath!;
        var self = Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new[] { process, typeof(L2LatencyBench).Assembly.Location }
            : [process];
        return ["netns", "exec", ns, .. self, "l2-latency", .. args];
    }

    private static async Task<string> Command(Process p, string command)
    {
        await p.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await p.StandardInput.FlushAsync().ConfigureAwait(false);
        return await Expect(p, $"ready {command.Split(' ')[0]}").ConfigureAwait(false);
    }

    private static async Task<string> Expect(Process p, string prefix)
    {
        while (await p.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"responder exited before '{prefix}'");
    }

    private static Task<string> Ip(params string[] args) => Run("ip", args, check: true);

    private static Task<string> Run(string file, params string[] args) => Run(file, args, check: false);

    private static async Task<string> Run(string file, string[] args, bool check)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        return check && p.ExitCode != 0
            ? throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {await stderr.ConfigureAwait(false)}")
            : await stdout.ConfigureAwait(false);
    }
}
