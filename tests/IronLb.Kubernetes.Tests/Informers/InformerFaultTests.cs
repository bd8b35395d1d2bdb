using System.Collections.Concurrent;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Kubernetes.Tests.Informers;

/// <summary>
/// The informer against faults a watch does not report, in real time over HTTP: a watch KubeSim black-holes
/// mid-stream is closed after its idle timeout and resumed from its last resourceVersion; an event lost while
/// the watch stalls silently is found by the periodic relist and raised as a change; an API server that stops
/// and comes back is caught up with.
/// </summary>
public sealed class InformerFaultTests
{
    private const string Agent = "informer-under-test";

    private static readonly ResourceType<V1ConfigMap> ConfigMaps = ConfigMapType.InDefault;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_watch_silenced_mid_stream_is_restarted_from_its_last_resource_version_after_the_idle_timeout()
    {
        // Bookmarks every 200 ms keep a healthy watch well inside its 1.5 s idle timeout.
        await using var sim = await StartAsync(TimeSpan.FromMilliseconds(200));
        using var direct = sim.Direct();
        var maps = new ResourceClient<V1ConfigMap>(direct, ConfigMaps);
        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, TimeProvider.System, NullLogger.Instance) { WatchIdleTimeout = TimeSpan.FromSeconds(1.5) };
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);
        var before = await maps.CreateAsync(Map("before"), Token);
        await Eventually.WaitForAsync(() => informer.Get("default/before") is not null, "the watch delivering before");
        Assert.Equal(0, informer.IdleRestarts);

        sim.Api.Faults.BlackHoleWatches(Agent);
        await Eventually.WaitForAsync(() => informer.IdleRestarts >= 1 && sim.Faults.Requests.Count(r => r.Watch) >= 2, "the silent watch restarted");
        var requests = sim.Faults.Requests.ToList();
        var watches = requests.Where(r => r.Watch).ToList();

        Assert.Single(requests, r => !r.Watch);
        Assert.True(watches.Count >= 2, "no second watch request");
        var resumedFrom = long.Parse(watches[1].PathAndQuery.Split("resourceVersion=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(resumedFrom >= long.Parse(before.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture), "resumed from before the last event seen");

        sim.Api.Faults.HealAll();
        await maps.CreateAsync(Map("after"), Token);
        await Eventually.WaitForAsync(() => informer.Get("default/after") is not null, "the informer catching up after healing");
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task An_event_lost_while_the_watch_stalls_silently_is_recovered_by_the_periodic_relist()
    {
        await using var sim = await StartAsync(TimeSpan.FromMinutes(1), requestTimeout: TimeSpan.FromSeconds(30));
        using var direct = sim.Direct();
        var maps = new ResourceClient<V1ConfigMap>(direct, ConfigMaps);
        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, TimeProvider.System, NullLogger.Instance)
        {
            WatchIdleTimeout = TimeSpan.FromMinutes(10),
            RelistInterval = TimeSpan.FromSeconds(2),
        };
        var added = new ConcurrentQueue<string>();
        informer.Changed += c =>
        {
            if (c.Type == ChangeType.Added)
            {
                added.Enqueue(c.Key);
            }
        };
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);
        await maps.CreateAsync(Map("seen"), Token);
        await Eventually.WaitForAsync(() => informer.Get("default/seen") is not null, "the watch streaming");

        // The open stream falls silent; a request timeout longer than the relist interval keeps any other path out.
        sim.Api.Faults.BlackHoleWatches(Agent);
        await maps.CreateAsync(Map("missed"), Token);
        await Eventually.WaitForAsync(() => informer.Get("default/missed") is not null, "the relist finding missed");

        Assert.Contains("default/missed", added);
        Assert.True(informer.RelistRepairs >= 1, "the repair was not counted");
        Assert.True(informer.PeriodicRelists >= 1);
        Assert.Equal(0, informer.IdleRestarts);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task An_API_server_that_stops_and_comes_back_is_caught_up_with()
    {
        await using var sim = await StartAsync(TimeSpan.FromMinutes(1));
        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);

        await sim.Api.StopServingAsync();
        sim.Api.Create("v1", "configmaps", "default", """{"metadata":{"name":"while-down"}}""");
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        await sim.Api.StartServingAsync(Token);

        await Eventually.WaitForAsync(() => informer.Get("default/while-down") is not null, "the informer catching up");
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run;
    }

    private static Task<Sim> StartAsync(TimeSpan bookmarks, TimeSpan? requestTimeout = null) => Sim.StartAsync(
        TimeProvider.System,
        new KubeSim.KubeSimOptions { BookmarkInterval = bookmarks },
        new KubeConnectionOptions { UserAgent = Agent, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(2) });

    private static V1ConfigMap Map(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };
}
