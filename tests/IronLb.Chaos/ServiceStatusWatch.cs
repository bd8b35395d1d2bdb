using System.Collections.Immutable;
using System.Text.Json;
using IronLb.Kubernetes.Client;

namespace IronLb.Chaos;

/// <summary>
/// Snapshots every Service's status.loadBalancer.ingress, every 200 ms, through a leader row: an address held by
/// two Services in any one snapshot is a conflict, unless both Services share it by the same
/// metallb.io/allow-shared-ip key (as the example's imap and webmail do, legitimately).
/// </summary>
internal sealed class ServiceStatusWatch : IAsyncDisposable
{
    private readonly KubeConnection _api;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<string> _conflicts = [];
    private ImmutableDictionary<string, ImmutableArray<string>> _latest = ImmutableDictionary<string, ImmutableArray<string>>.Empty;
    private int _snapshots;

    public ServiceStatusWatch(KubeConnection api)
    {
        _api = api;
        _loop = Task.Run(LoopAsync);
    }

    public int Snapshots => Volatile.Read(ref _snapshots);

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

    /// <summary>The latest snapshot: namespace/name → ingress addresses.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    /// <summary>One snapshot's conflicts: each address held by Services that do not share it by one key.</summary>
    public static IEnumerable<string> ConflictsIn(IEnumerable<(string Service, string? SharingKey, ImmutableArray<string> Ingress)> services) =>
        services.SelectMany(s => s.Ingress.Select(ip => (ip, s.Service, s.SharingKey)))
            .GroupBy(x => x.ip)
            .Where(g => g.Count() > 1 && (g.Any(x => x.SharingKey is null) || g.Select(x => x.SharingKey).Distinct().Count() > 1))
            .Select(g => $"{g.Key} held by {string.Join(" and ", g.Select(x => x.Service))}");

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var json = JsonDocument.Parse(await _api.GetAsync("api/v1/services", _stop.Token));
                var services = json.RootElement.GetProperty("items").EnumerateArray().Select(Read).ToList();
                var conflicts = ConflictsIn(services).ToList();
                lock (_gate)
                {
                    _latest = services.ToImmutableDictionary(s => s.Service, s => s.Ingress);
                    _conflicts.AddRange(conflicts.Select(c => $"snapshot {_snapshots}: {c}"));
                }

                Interlocked.Increment(ref _snapshots);
                await Task.Delay(200, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or OperationCanceledException)
            {
                // The API server may be busy; the next snapshot tries again.
            }
        }
    }

    private static (string Service, string? SharingKey, ImmutableArray<string> Ingress) Read(JsonElement item)
    {
        var metadata = item.GetProperty("metadata");
        var name = $"{metadata.GetProperty("namespace").GetString()}/{metadata.GetProperty("name").GetString()}";
        var key = metadata.TryGetProperty("annotations", out var a) && a.TryGetProperty("metallb.io/allow-shared-ip", out var k) ? k.GetString() : null;
        ImmutableArray<string> ingress = item.TryGetProperty("status", out var s) && s.TryGetProperty("loadBalancer", out var lb) && lb.TryGetProperty("ingress", out var i)
            ? [.. i.EnumerateArray().Where(x => x.TryGetProperty("ip", out _)).Select(x => x.GetProperty("ip").GetString()!)]
            : [];
        return (name, key, ingress);
    }
}
