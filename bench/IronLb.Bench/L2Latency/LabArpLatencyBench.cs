using System.Globalization;
using System.Text.Json;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.L2Latency.HostCommands;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench.L2Latency;

/// <summary>
/// ARP and NDP latency as a client in the lab sees it (root):
/// `lab-arp-latency [REQUESTS] [--nodes N] [--name NAME] [--ironlb [LABEL=]PATH]...`. For each variant a lab is
/// brought up (`ironlb-lab up --ironlb PATH`) and, once web/gateway (192.0.2.184, 2001:db8:3a::443) is answered by
/// its elected node alone, the external client asks REQUESTS times (default 500) for it and as often, alternately,
/// for the owner node's own eno2 address, which the node's kernel answers over the same bridge and veth
/// (<see cref="ClientRole"/>, each request waiting for its reply, after 50 unmeasured ones); request→reply times
/// come from tcpdump's kernel timestamps on the client's interface (<see cref="TcpdumpCapture"/>). The speakers
/// answer in their tc program, so the figure shows whether a variant changes the wire path at all. Medians and
/// p99s per variant, the ratio to the kernel's reply in the same run, and to the first variant. The lab goes down
/// after each variant and on every exit path; run it on an otherwise quiet machine (the load average is printed).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LabArpLatencyBench
{
    private const string ServiceV4 = "192.0.2.184";
    private const string ServiceV6 = "2001:db8:3a::443";
    private const int Warmup = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = 500;
        var nodes = 4;
        var name = $"al{Environment.ProcessId % 1000}";
        var variants = new List<IronLbVariant>();
        var usable = BenchArguments.TryApply("lab-arp-latency", args, new Dictionary<string, Func<string, bool>>(StringComparer.Ordinal)
        {
            ["--ironlb"] = IronLbVariant.Into(variants),
            ["--nodes"] = v => BenchArguments.TryCount(v, out nodes),
            ["--name"] = BenchArguments.NamePrefix(v => name = v),
        }, v => BenchArguments.TryCount(v, out requests));
        if (!usable)
        {
            return 2;
        }

        if (variants.Count == 0)
        {
            variants.Add(IronLbVariant.Default());
        }

        Print("nodes", nodes);
        Print("requests_per_address", requests);
        var ours = new Dictionary<string, Dictionary<string, List<double>>>(StringComparer.Ordinal);
        for (var v = 0; v < variants.Count; v++)
        {
            ours[variants[v].Label] = await MeasureAsync($"{name}v{v}", variants[v], nodes, requests);
        }

        var baseline = variants[0].Label;
        foreach (var label in ours.Keys.Where(l => l != baseline))
        {
            foreach (var (protocol, address) in new[] { ("arp", ServiceV4), ("ndp", ServiceV6) })
            {
                Print($"{label}_{protocol}_ironlb_median_ratio_to_{baseline}", Median(ours[label][address]) / Median(ours[baseline][address]));
                Print($"{label}_{protocol}_ironlb_p99_ratio_to_{baseline}", Percentile(ours[label][address], 0.99) / Percentile(ours[baseline][address], 0.99));
            }
        }

        return 0;
    }

    /// <summary>One variant's lab: prints its figures and returns the Service addresses' latencies (µs) by address.</summary>
    private static async Task<Dictionary<string, List<double>>> MeasureAsync(string name, IronLbVariant variant, int nodes, int requests)
    {
        try
        {
            string[] up = ["up", "--name", name, "--nodes", nodes.ToString(CultureInfo.InvariantCulture)];
            await LabAsync(variant.Path is null ? up : [.. up, "--ironlb", variant.Path]);
            var lab = await StatusAsync(name);
            var owner = lab.Nodes.Single(n => n.Name == ElectionOrder(lab.Nodes.Select(n => n.Name), ServiceV4)[0]);
            await AnsweredByAsync(lab, owner, ServiceV4);
            var client = ExternalClient(lab);
            var (nodeV4, nodeV6) = await GlobalAddressesAsync(owner.Netns, "eno2");
            var (clientV4, clientV6) = await GlobalAddressesAsync(client.Netns, client.Interface);
            string[] Asking(string protocol, int count) => protocol == "arp"
                ? ["--client", "arp", client.Interface, count.ToString(CultureInfo.InvariantCulture), nodeV4, ServiceV4, clientV4]
                : ["--client", "ndp", client.Interface, count.ToString(CultureInfo.InvariantCulture), nodeV6, ServiceV6, clientV6];

            await SelfProcess.RunAsync(client.Netns, Asking("arp", Warmup));
            await SelfProcess.RunAsync(client.Netns, Asking("ndp", Warmup));
            var label = variant.Label;
            Print($"{label}_load_average_before", ProcessFootprint.LoadAverage());
            var latencies = await TcpdumpCapture.RecordAsync(client.Netns, client.Interface, $"ironlb-{name}", async () =>
            {
                await SelfProcess.RunAsync(client.Netns, Asking("arp", requests));
                await SelfProcess.RunAsync(client.Netns, Asking("ndp", requests));
            }, $"{label}_");
            Print($"{label}_load_average_after", ProcessFootprint.LoadAverage());
            LatencyReport.Print($"{label}_arp", latencies, nodeV4, ServiceV4);
            LatencyReport.Print($"{label}_ndp", latencies, nodeV6, ServiceV6);
            return new Dictionary<string, List<double>>(StringComparer.Ordinal)
            {
                [ServiceV4] = latencies.GetValueOrDefault(ServiceV4) ?? [],
                [ServiceV6] = latencies.GetValueOrDefault(ServiceV6) ?? [],
            };
        }
        finally
        {
            await LabAsync("down", "--name", name);
        }
    }

    /// <summary>The first global IPv4 and IPv6 address of a device in a lab namespace.</summary>
    private static async Task<(string V4, string V6)> GlobalAddressesAsync(string netns, string device)
    {
        using var json = JsonDocument.Parse(await Ip("-n", netns, "-j", "addr", "show", "dev", device));
        var addresses = json.RootElement[0].GetProperty("addr_info").EnumerateArray()
            .Where(a => a.GetProperty("scope").GetString() == "global")
            .Select(a => (Family: a.GetProperty("family").GetString(), Local: a.GetProperty("local").GetString()!)).ToList();
        return (addresses.First(a => a.Family == "inet").Local, addresses.First(a => a.Family == "inet6").Local);
    }
}
