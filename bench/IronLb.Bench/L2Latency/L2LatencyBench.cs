using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using IronLb.Networking;
using static IronLb.Bench.L2Latency.HostCommands;
using static IronLb.Bench.L2Latency.L2Addresses;

namespace IronLb.Bench.L2Latency;

/// <summary>
/// ARP and NDP reply latency on the wire: a client namespace sends requests alternately for an address the
/// node's kernel owns (configured on eno2) and one our <see cref="Layer2Announcer"/> announces on the same
/// eno2, waiting for each reply; tcpdump on the client's interface timestamps request and reply. Also the
/// announcer process's memory with 1,000 announced addresses. Needs root (network namespaces).
/// Roles: no role = orchestrate; "--responder" and "--client" run inside the namespaces.
/// </summary>
internal static class L2LatencyBench
{
    private const int Samples = 1000;
    private const int Warmup = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "--responder")
        {
            return await ResponderRole.RunAsync(ResponderOptions.Parse(args[1..])).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "--client")
        {
            return ClientRole.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), args[4..]);
        }

        ResponderOptions.Parse(args); // fail early on a bad option, before any namespace exists
        return await OrchestrateAsync(args).ConfigureAwait(false);
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

            responder = SelfProcess.Start(node, ["--responder", .. options]);
            await SelfProcess.Expect(responder, "ready").ConfigureAwait(false);
            await SelfProcess.Command(responder, $"announce {OursV4}").ConfigureAwait(false);
            await SelfProcess.Command(responder, $"announce {OursV6}").ConfigureAwait(false);

            // Warm both paths (JIT, caches, neighbour state) outside the capture.
            await SelfProcess.RunAsync(client, "--client", "arp", "ext0", Warmup.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            await SelfProcess.RunAsync(client, "--client", "ndp", "ext0", Warmup.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);

            var latencies = await TcpdumpCapture.RecordAsync(client, "ext0", $"ilbb-{id}", async () =>
            {
                await SelfProcess.RunAsync(client, "--client", "arp", "ext0", Samples.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await SelfProcess.RunAsync(client, "--client", "ndp", "ext0", Samples.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }).ConfigureAwait(false);
            Console.WriteLine($"responder_options: {(options.Length == 0 ? "defaults" : string.Join(' ', options))}");
            var kernel = (await SelfProcess.Command(responder, "kernel").ConfigureAwait(false)).Split(' ')[2..];
            Console.WriteLine($"arp_answered_by: {(kernel.Contains("eno2/arp") ? "kernel (tc program)" : "userspace")}");
            Console.WriteLine($"ndp_answered_by: {(kernel.Contains("eno2/ndp") ? "kernel (tc program)" : "userspace")}");
            LatencyReport.Print("arp", latencies, KernelV4, OursV4);
            LatencyReport.Print("ndp", latencies, KernelV6, OursV6);

            var baseline = await SelfProcess.Command(responder, "mem").ConfigureAwait(false);
            await SelfProcess.Command(responder, "bulk 1000").ConfigureAwait(false);
            var loaded = await SelfProcess.Command(responder, "mem").ConfigureAwait(false);
            Console.WriteLine($"memory_rss_2_addresses_mb: {baseline.Split(' ')[2]}");
            Console.WriteLine($"memory_rss_1002_addresses_mb: {loaded.Split(' ')[2]}");
            Console.WriteLine($"managed_heap_2_addresses_kb: {baseline.Split(' ')[3]}");
            Console.WriteLine($"managed_heap_1002_addresses_kb: {loaded.Split(' ')[3]}");
            Console.WriteLine($"bpf_memory_2_addresses_kb: {baseline.Split(' ')[5]}");
            Console.WriteLine($"bpf_memory_1002_addresses_kb: {loaded.Split(' ')[5]}");
            KernelProgramCost.Print();
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
}
