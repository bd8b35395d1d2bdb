using System.Collections.Immutable;
using System.Text.Json;
using IronLb.Kubernetes.Client;

namespace IronLb.Chaos.Soak;

/// <summary>
/// Reads the cluster every <see cref="Period"/> through a whole soak (<see cref="ClusterSnapshot"/>), and checks
/// the API's invariants on every snapshot as it comes: no address on two Services, and no Service losing an
/// address its pool still holds. A read that fails (the API server stopped, say) is skipped: the last snapshot
/// stands until the next one succeeds.
/// </summary>
internal sealed class ClusterWatch : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private const string MetalLb = "apis/metallb.io/v1beta1";

    private readonly KubeConnection _api;
    private readonly Func<TimeSpan> _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<ClusterSnapshot> _snapshots = [];
    private readonly List<string> _lost = [];
    private readonly List<string> _conflicts = [];
    private readonly Task _loop;
    private int _failedReads;

    /// <param name="api">The lab's API server, read as the host sees it.</param>
    /// <param name="clock">The soak's clock (the prober's), so snapshots and wire samples share one timeline.</param>
    public ClusterWatch(KubeConnection api, Func<TimeSpan> clock)
    {
        (_api, _clock) = (api, clock);
        _loop = Task.Run(LoopAsync);
    }

    public IReadOnlyList<ClusterSnapshot> Snapshots
    {
        get
        {
            lock (_gate)
            {
                return [.. _snapshots];
            }
        }
    }

    public IReadOnlyList<string> Lost
    {
        get
        {
            lock (_gate)
            {
                return [.. _lost];
            }
        }
    }

    public IReadOnlyList<string> Conflicts
    {
        get
        {
            lock (_gate)
            {
                return [.. _conflicts];
            }
        }
    }

    public int FailedReads => Volatile.Read(ref _failedReads);

    public ClusterSnapshot? Latest
    {
        get
        {
            lock (_gate)
            {
                return _snapshots.Count > 0 ? _snapshots[^1] : null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var snapshot = await ReadAsync();
                lock (_gate)
                {
                    if (_snapshots.Count > 0)
                    {
                        _lost.AddRange(snapshot.LostSince(_snapshots[^1]).Select(l => $"{Seconds(snapshot.At)}: {l}"));
                    }

                    _conflicts.AddRange(snapshot.Conflicts().Select(c => $"{Seconds(snapshot.At)}: {c}"));
                    _snapshots.Add(snapshot);
                }

                await Task.Delay(Period, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or OperationCanceledException or IOException or JsonException)
            {
                // The API server is stopped or busy: the next read tries again.
                Interlocked.Increment(ref _failedReads);
                await Task.Delay(Period, CancellationToken.None);
            }
        }
    }

    private async Task<ClusterSnapshot> ReadAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var ct = timeout.Token;
        var at = _clock();
        using var services = JsonDocument.Parse(await _api.GetAsync("api/v1/services", ct));
        using var pools = JsonDocument.Parse(await _api.GetAsync($"{MetalLb}/ipaddresspools", ct));
        using var advertisements = JsonDocument.Parse(await _api.GetAsync($"{MetalLb}/l2advertisements", ct));
        using var slices = JsonDocument.Parse(await _api.GetAsync("apis/discovery.k8s.io/v1/endpointslices", ct));
        return new ClusterSnapshot(
            at,
            Items(services).Select(ClusterSnapshot.ReadService).ToImmutableDictionary(s => s.Key),
            [.. Items(pools).Select(ClusterSnapshot.ReadPool)],
            [.. Items(advertisements).Select(ClusterSnapshot.ReadAdvertisement)],
            [.. Items(slices).Select(ClusterSnapshot.ReadyService).OfType<string>()]);
    }

    private static IEnumerable<JsonElement> Items(JsonDocument list) => list.RootElement.GetProperty("items").EnumerateArray();

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.0} s";
}
