using System.Collections.Concurrent;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Kubernetes.Tests.Informers;

/// <summary>
/// The informer against KubeSim over HTTP, in virtual time: it relists at once when its watch is told 410 Gone
/// and turns what vanished meanwhile into deletions, backs off exponentially (with jitter) after errors, and
/// stops cleanly when cancelled.
/// </summary>
public sealed class InformerTests
{
    private static readonly ResourceType<V1ConfigMap> ConfigMaps = ConfigMapType.InDefault;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_watch_told_410_Gone_relists_at_once_and_reports_what_vanished_meanwhile_as_deleted()
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var clientTime = new SteppedTime();
        await using var sim = await Sim.StartAsync(clientTime, new KubeSim.KubeSimOptions { TimeProvider = serverTime, WatchHistoryLimit = 16 });
        using var direct = sim.Direct();
        var maps = new ResourceClient<V1ConfigMap>(direct, ConfigMaps);
        await maps.CreateAsync(Map("doomed"), Token);

        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, clientTime, NullLogger.Instance) { WatchTimeoutSeconds = 60 };
        var changes = new ConcurrentQueue<InformerChange<V1ConfigMap>>();
        var lists = 0;
        informer.Changed += changes.Enqueue;
        informer.Listed += () => Interlocked.Increment(ref lists);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);
        Assert.NotNull(informer.Get("default/doomed"));

        // The server ends the watch when its time is up; the informer's reconnect is held while the history moves
        // past it. The stream may not have started its clock when the request was seen, so time moves until it ends.
        sim.Faults.HoldWatches();
        await Eventually.UntilAsync(
            () =>
            {
                serverTime.Advance(TimeSpan.FromSeconds(61));
                return Task.FromResult(sim.Faults.HeldWatches);
            },
            n => n == 1,
            "the informer resuming its watch");
        await maps.DeleteAsync("default", "doomed", Token);
        for (var i = 0; i < 20; i++)
        {
            await maps.CreateAsync(Map($"filler-{i}"), Token);
        }

        // No time passes: a 410 is no error, so no back-off.
        sim.Faults.ReleaseWatches();
        await Eventually.UntilAsync(() => Task.FromResult(changes.ToList()), c => c.Any(x => x.Type == ChangeType.Deleted && x.Key == "default/doomed"), "doomed reported deleted");
        await Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref lists)), n => n == 2, "the relist finished");
        Assert.Equal(20, informer.Items.Count);
        Assert.Null(informer.Get("default/doomed"));

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Failed_lists_are_retried_after_a_jittered_delay_that_doubles_per_failure()
    {
        var time = new SteppedTime();
        await using var sim = await Sim.StartAsync(time);
        sim.Faults.Fail(r => !ApiFaults.IsWatch(r));
        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);

        var delays = new List<TimeSpan>();
        for (var failure = 1; failure <= 9; failure++)
        {
            var due = await time.NextTimerAsync();
            delays.Add(due);
            if (failure == 9)
            {
                sim.Faults.Heal();
            }

            time.Advance(due);
        }

        await informer.WaitForSyncAsync(Token);
        Assert.Equal(10, sim.Faults.Requests.Count(r => !r.Watch));

        // 200 ms doubling, capped at 30 s, each scaled by a random factor in [0.5, 1].
        double[] nominal = [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000];
        for (var i = 0; i < nominal.Length; i++)
        {
            Assert.InRange(delays[i].TotalMilliseconds, nominal[i] * 0.5, nominal[i]);
        }

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Cancelling_ends_the_loop_normally_while_it_watches()
    {
        var time = new SteppedTime();
        await using var sim = await Sim.StartAsync(time);
        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);
        await Eventually.UntilAsync(() => Task.FromResult(sim.Faults.Requests.Count(r => r.Watch)), n => n == 1, "the watch");

        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(60), Token);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.True(informer.HasSynced);
    }

    [Fact]
    public async Task Cancelling_ends_the_loop_normally_while_it_backs_off()
    {
        var time = new SteppedTime();
        await using var sim = await Sim.StartAsync(time);
        sim.Faults.Fail(_ => true);
        var informer = new Informer<V1ConfigMap>(sim.Connection, ConfigMaps, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await time.NextTimerAsync();

        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(60), Token);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.False(informer.HasSynced);
    }

    private static V1ConfigMap Map(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };
}
