using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IronLb.KubeSim;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>KubeSim at the scale of a big cluster: creating 10,000 Services, listing them, and how long a change
/// takes to reach 50 watchers. Plain HttpClient with JSON, as any client would send.
/// Options: <c>--services N</c> (10000), <c>--watchers N</c> (50), <c>--writes N</c> (200).</summary>
internal static class KubeSimBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var services = Option(args, "--services", 10_000);
        var watcherCount = Option(args, "--watchers", 50);
        var writes = Option(args, "--writes", 200);
        await using var api = await KubeSim.KubeSim.StartAsync(new KubeSimOptions { WatchHistoryLimit = services * 4 }).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = api.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };

        // Create: four clients in parallel, as a big apply would. No node ports: 10,000 exceed the 30000-32767 range.
        var created = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < services)
            {
                using var body = Json(ServiceJson(i));
                using var response = await http.PostAsync(new Uri("/api/v1/namespaces/default/services", UriKind.Relative), body).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }
        })).ConfigureAwait(false);
        created.Stop();
        Print("kubesim_create_services", services);
        Print("kubesim_create_total_ms", created.Elapsed.TotalMilliseconds);
        Print("kubesim_create_per_second", services / created.Elapsed.TotalSeconds);

        // LIST: the whole collection, read to the end; median of 7 after one warm-up.
        var listTimes = new List<double>();
        long listBytes = 0;
        for (var round = 0; round < 8; round++)
        {
            var sw = Stopwatch.StartNew();
            var bytes = await http.GetByteArrayAsync(new Uri("/api/v1/services", UriKind.Relative)).ConfigureAwait(false);
            sw.Stop();
            listBytes = bytes.Length;
            if (round > 0)
            {
                listTimes.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        Print("kubesim_list_items", services + 1);
        Print("kubesim_list_bytes", listBytes);
        Print("kubesim_list_median_ms", Percentile(listTimes, 0.5));
        Print("kubesim_list_max_ms", listTimes.Max());

        // Fan-out: watchers from the current resourceVersion; each write is timed from just before it is sent
        // until each watcher has read its line.
        var start = api.ResourceVersion;
        var sentAt = new long[writes];
        var latencies = new List<double>(writes * watcherCount);
        var gate = new Lock();
        using var stop = new CancellationTokenSource();
        var connected = 0;
        var watchers = Enumerable.Range(0, watcherCount).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = api.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
            using var response = await client.GetAsync(new Uri($"/api/v1/services?watch=true&resourceVersion={start}", UriKind.Relative),
                HttpCompletionOption.ResponseHeadersRead, stop.Token).ConfigureAwait(false);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token).ConfigureAwait(false));
            Interlocked.Increment(ref connected);
            var received = 0;
            while (received < writes && await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                using var doc = JsonDocument.Parse(line);
                var index = int.Parse(doc.RootElement.GetProperty("object").GetProperty("metadata").GetProperty("annotations").GetProperty("bench").GetString()!, CultureInfo.InvariantCulture);
                var latency = Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[index]), now).TotalMilliseconds;
                lock (gate)
                {
                    latencies.Add(latency);
                }
                received++;
            }
        })).ToList();
        while (Volatile.Read(ref connected) < watcherCount)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        for (var w = 0; w < writes; w++)
        {
            var patch = $"{{\"metadata\":{{\"annotations\":{{\"bench\":\"{w}\"}}}}}}";
            using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri($"/api/v1/namespaces/default/services/svc-{w % services}", UriKind.Relative))
            {
                Content = new StringContent(patch, Encoding.UTF8, new MediaTypeHeaderValue("application/merge-patch+json")),
            };
            Volatile.Write(ref sentAt[w], Stopwatch.GetTimestamp());
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            // Space the writes so each one's fan-out is measured on its own, not queued behind the previous.
            await Task.Delay(5).ConfigureAwait(false);
        }
        var all = Task.WhenAll(watchers);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromMinutes(2))).ConfigureAwait(false) != all)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            Console.Error.WriteLine("watchers did not receive every write");
            return 1;
        }
        Print("kubesim_fanout_watchers", watcherCount);
        Print("kubesim_fanout_writes", writes);
        Print("kubesim_fanout_samples", latencies.Count);
        Print("kubesim_fanout_median_ms", Percentile(latencies, 0.5));
        Print("kubesim_fanout_p99_ms", Percentile(latencies, 0.99));
        Print("kubesim_fanout_max_ms", latencies.Max());
        return 0;
    }

    private static string ServiceJson(int i) =>
        $$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc-{{{i}}}","labels":{"app":"svc-{{{i}}}"},"annotations":{"metallb.io/loadBalancerIPs":"192.0.2.{{{i % 250}}}"}},"spec":{"type":"LoadBalancer","allocateLoadBalancerNodePorts":false,"selector":{"app":"svc-{{{i}}}"},"ports":[{"name":"http","port":80,"targetPort":8080}]}}""";

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

}
