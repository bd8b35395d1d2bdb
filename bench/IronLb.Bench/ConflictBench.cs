using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IronLb.Chaos;
using IronLb.Kubernetes.Client;
using IronLb.Lab.Status;
using IronLb.Testing.Network;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>
/// Address-conflict detection in the lab (issue 16, root). Two series of N new Services, each asking for a free
/// address of the example's external pool by metallb.io/loadBalancerIPs, one at a time: the time from the
/// controller writing the Service's status (polled every 10 ms, within a few ms) to the first frame at the external client in which
/// an IronLB node claims the address (its gratuitous ARP, or its reply to the client, which asks every 50 ms
/// with the kit's NeighbourProber); once
/// with the speakers' default probe before a new address, once in a second lab with `--conflict-probes=0`.
/// Then, in the first lab, a rogue lab host claims each announced address once (gratuitous ARP): the time from the
/// rogue's frame at the client to the addressConflict event on the Service (events polled every 20 ms).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ConflictBench
{
    private const string Namespace = "bench";

    /// <summary>The external pool's addresses examples/lab leaves free (192.0.2.175, .180/30, .184/29, .192/28 minus its Services').</summary>
    private static readonly string[] Free =
        [.. new[] { 175, 180, 181, 182, 183, 185, 186, 187, 188, 189, 190, 191 }.Concat(Enumerable.Range(195, 13)).Select(i => $"192.0.2.{i}")];

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <param name="args">[SERVICES] [NODES].</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var nodes = args.Length > 1 ? args[1] : "3";
        if (services < 1 || services > Free.Length)
        {
            await Console.Error.WriteLineAsync($"conflict: SERVICES must be 1 to {Free.Length} (the free addresses of the example's external pool)");
            return 2;
        }

        Print("services", services);
        var tag = (Environment.ProcessId % 10000).ToString(CultureInfo.InvariantCulture);
        var withProbe = await WithLabAsync($"cf{tag}a", nodes, [], async lab =>
        {
            var first = await AnnounceSeriesAsync(lab, services, "probe_on");
            await ClaimSeriesAsync(lab, services);
            return first;
        });
        var withoutProbe = await WithLabAsync($"cf{tag}b", nodes, ["--speaker-arg=--conflict-probes=0"], lab => AnnounceSeriesAsync(lab, services, "probe_off"));

        Summarize("assign_to_announce_probe_on", withProbe);
        Summarize("assign_to_announce_probe_off", withoutProbe);
        Print("probe_added_median_s", Median(withProbe) - Median(withoutProbe));
        Print("probe_on_over_off_median_ratio", Median(withProbe) / Median(withoutProbe));
        return 0;
    }

    /// <summary>A lab up for <paramref name="body"/>, and down again on every way out.</summary>
    private static async Task<List<double>> WithLabAsync(string name, string nodes, string[] speakerArgs, Func<Lab, Task<List<double>>> body)
    {
        NeighbourCapture? capture = null;
        try
        {
            await LabAsync(["up", "--name", name, "--nodes", nodes, .. speakerArgs]);
            var status = await StatusAsync(name);
            var client = status.Clients.Single(c => c.Lan == "external");
            capture = await NeighbourCapture.StartAsync(client.Netns, client.Interface);
            using var api = KubeConnection.Create(status.Kubeconfig);
            await api.PostAsync("api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}""", CancellationToken.None);
            return await body(new Lab(name, status, api, capture, client));
        }
        finally
        {
            if (capture is not null)
            {
                await capture.DisposeAsync();
            }

            await LabAsync("down", "--name", name);
        }
    }

    private sealed record Lab(string Name, LabStatus Status, KubeConnection Api, NeighbourCapture Capture, ClientStatus Client)
    {
        public IReadOnlyList<string> NodeMacs => [.. Status.Nodes.Select(n => n.Interfaces.Single(i => i.Lan == "external").Mac!.ToLowerInvariant())];
    }

    /// <summary>Per Service: status written → first claim of the address by a node at the client, in seconds.</summary>
    private static async Task<List<double>> AnnounceSeriesAsync(Lab lab, int count, string series)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var ip = Free[i];
            var name = $"svc{i}";
            // The client keeps asking, so a reply counts as well as an announcement.
            using var asker = await NeighbourProber.StartAsync(lab.Client.Netns, lab.Client.Interface, [System.Net.IPAddress.Parse(ip)], TimeSpan.FromMilliseconds(50));
            {
                await CreateServiceAsync(lab.Api, name, ip);
                var assigned = await AssignedAsync(lab.Api, name, ip);
                var announced = await FirstAsync(() => lab.Capture.Frames.FirstOrDefault(f => f.Time >= assigned - 1 && f.Claims(ip) && lab.NodeMacs.Contains(f.SourceMac))?.Time,
                    $"a node claiming {ip}");
                times.Add(announced - assigned);
                Print($"{series}_run_{i + 1:00}_s", times[^1]);
            }
        }

        return times;
    }

    /// <summary>Per announced Service: a rogue's gratuitous ARP at the client → the addressConflict event, in seconds.</summary>
    private static async Task ClaimSeriesAsync(Lab lab, int count)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var ip = Free[i];
            var host = $"rogue{i}";
            var netns = $"ilab-{lab.Name}-host-{host}";
            await LabAsync("host", "add", host, "--name", lab.Name, "--lan", "external", "--address", ip);
            try
            {
                var mac = IronLb.Lab.Topology.HostPlanner.Mac(lab.Name, host);
                var before = NeighbourCapture.Now - 1;
                await AddressClaims.SendAsync(netns, "lan0", mac, ip, count: 1, TimeSpan.Zero);
                var claimed = await FirstAsync(() => lab.Capture.Frames.FirstOrDefault(f => f.Time >= before && f.SourceMac == mac && f.Announces(ip))?.Time, $"the rogue's claim of {ip}");
                var evented = await FirstAsync(async () => await HasConflictEventAsync(lab.Api, $"svc{i}") ? NeighbourCapture.Now : null, $"an addressConflict event for svc{i}");
                times.Add(evented - claimed);
                Print($"claim_run_{i + 1:00}_s", times[^1]);
            }
            finally
            {
                await LabAsync("host", "del", host, "--name", lab.Name);
            }
        }

        Print("claim_to_event_median_s", Median(times));
        Print("claim_to_event_max_s", times.Max());
    }

    private static Task<string> CreateServiceAsync(KubeConnection api, string name, string ip) =>
        api.PostAsync($"api/v1/namespaces/{Namespace}/services", $$$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{{name}}}}","namespace":"{{{{Namespace}}}}","annotations":{"metallb.io/loadBalancerIPs":"{{{{ip}}}}"}},
             "spec":{"type":"LoadBalancer","ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"],"ports":[{"name":"http","port":80,"protocol":"TCP"}]}}
            """, CancellationToken.None);

    /// <summary>
    /// When the controller wrote <paramref name="ip"/> into the Service's status: between the last poll that did not
    /// show it and the first that did (10 ms apart), so the midpoint is off by a few milliseconds at most.
    /// </summary>
    private static Task<double> AssignedAsync(KubeConnection api, string name, string ip)
    {
        var previous = NeighbourCapture.Now;
        return FirstAsync(async () =>
        {
            using var json = JsonDocument.Parse(await api.GetAsync($"api/v1/namespaces/{Namespace}/services/{name}", CancellationToken.None));
            var at = NeighbourCapture.Now;
            var found = json.RootElement.GetProperty("status").TryGetProperty("loadBalancer", out var lb) && lb.TryGetProperty("ingress", out var ingress)
                && ingress.EnumerateArray().Any(e => e.GetProperty("ip").GetString() == ip);
            (var seen, previous) = (found ? (previous + at) / 2 : (double?)null, at);
            return seen;
        }, $"{name} assigned {ip}", TimeSpan.FromMilliseconds(10));
    }

    private static async Task<bool> HasConflictEventAsync(KubeConnection api, string service)
    {
        using var json = JsonDocument.Parse(await api.GetAsync($"api/v1/namespaces/{Namespace}/events", CancellationToken.None));
        return json.RootElement.GetProperty("items").EnumerateArray().Any(e =>
            e.GetProperty("involvedObject").GetProperty("name").GetString() == service && e.GetProperty("reason").GetString() == "addressConflict");
    }

    private static Task<double> FirstAsync(Func<double?> probe, string what) => FirstAsync(() => Task.FromResult(probe()), what, TimeSpan.FromMilliseconds(20));

    private static Task<double> FirstAsync(Func<Task<double?>> probe, string what) => FirstAsync(probe, what, TimeSpan.FromMilliseconds(20));

    private static async Task<double> FirstAsync(Func<Task<double?>> probe, string what, TimeSpan every)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(every);
        }

        throw new TimeoutException($"no {what} within {Limit.TotalSeconds:0} s");
    }

    private static void Summarize(string series, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        Print($"{series}_median_s", Median(sorted));
        Print($"{series}_p99_s", sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1]);
        Print($"{series}_max_s", sorted[^1]);
    }
}
