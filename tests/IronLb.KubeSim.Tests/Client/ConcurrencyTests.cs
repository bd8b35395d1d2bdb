using System.Collections.Concurrent;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

public sealed class ConcurrencyTests
{
    private const int Writers = 8;
    private const int Watchers = 8;

    [Fact]
    public async Task Eight_writers_and_eight_watchers_for_ten_seconds_every_watcher_sees_every_change_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        // History large enough that no watcher can be expired by the writers; expiry has its own test.
        await using var api = await Sim.StartAsync(new KubeSimOptions { WatchHistoryLimit = 1_000_000 });
        using var setup = Clients.For(api);
        await Crds.CreateNamespaceAsync(setup, "load");
        var start = api.ResourceVersion.ToString();

        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var seen = new ConcurrentQueue<(long Rv, string Name, string Value, WatchEventType Type)>[Watchers];
        var watchers = Enumerable.Range(0, Watchers).Select(w => Task.Run(async () =>
        {
            seen[w] = new();
            using var client = Clients.For(api);
            try
            {
                await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("load", resourceVersion: start, cancellationToken: stopWatching.Token))
                {
                    seen[w].Enqueue((long.Parse(cm.Metadata.ResourceVersion), cm.Metadata.Name, cm.Data["n"], type));
                }
            }
            catch (OperationCanceledException) when (stopWatching.IsCancellationRequested)
            {
                // Told to stop once every change was seen (or the wait gave up).
            }
        }, ct)).ToList();

        var written = new ConcurrentBag<(long Rv, string Name, string Value, WatchEventType Type)>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            using var client = Clients.For(api);
            var name = $"writer-{w}";
            var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["n"] = "0" } }, "load", cancellationToken: ct);
            written.Add((long.Parse(created.Metadata.ResourceVersion), name, "0", WatchEventType.Added));
            for (var n = 1; DateTime.UtcNow < deadline; n++)
            {
                var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
                    new V1Patch($"{{\"data\":{{\"n\":\"{n}\"}}}}", V1Patch.PatchType.MergePatch), name, "load", cancellationToken: ct);
                written.Add((long.Parse(patched.Metadata.ResourceVersion), name, n.ToString(), WatchEventType.Modified));
            }
        }, ct)).ToList();
        await Task.WhenAll(writers);
        var expected = written.OrderBy(e => e.Rv).ToList();
        var waitUntil = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (seen.Any(s => s.Count < expected.Count) && DateTime.UtcNow < waitUntil)
        {
            await Task.Delay(50, ct);
        }
        await stopWatching.CancelAsync();
        await Task.WhenAll(watchers);

        Assert.True(expected.Count > Writers * 10, $"only {expected.Count} writes happened");
        Assert.Equal(expected.Count, expected.Select(e => e.Rv).Distinct().Count());
        for (var w = 0; w < Watchers; w++)
        {
            Assert.Equal(expected, seen[w].ToList());
        }
    }
}
