using System.Net;
using IronLb.Kubernetes.Client;

namespace IronLb.Chaos.Soak;

/// <summary>What the churn did, by action, and how many actions the API refused or timed out.</summary>
internal sealed record ChurnCounts(IReadOnlyDictionary<ChurnKind, int> Done, int Failed);

/// <summary>
/// Runs the churn schedule against the API: Services created (some asking for an address) and deleted, the soak
/// pool shrunk and grown, deleted and re-added, its advertisement edited, deleted and re-added. Each action holds
/// <paramref name="gate"/>, so the runner can keep churn out of faults that would make it unjudgeable.
/// </summary>
internal sealed class Churner(KubeConnection api, SemaphoreSlim gate, Action<string> log)
{
    /// <summary>At most this many soak Services at once: the soak pool has 8 addresses, IPv6 requests add 4.</summary>
    private const int MaxServices = 8;

    private readonly Dictionary<ChurnKind, int> _done = [];
    private readonly List<string> _services = [];
    private int _failed;
    private int _created;
    private bool _poolShrunk;
    private bool _advertisementOnEno2 = true;

    public ChurnCounts Counts => new(new Dictionary<ChurnKind, int>(_done), _failed);

    public async Task RunAsync(IEnumerable<ChurnStep> schedule, CancellationToken ct)
    {
        foreach (var step in schedule)
        {
            try
            {
                await Task.Delay(step.Pause, ct);
                await gate.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                await DoAsync(step, timeout.Token);
                _done[step.Kind] = _done.GetValueOrDefault(step.Kind) + 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or OperationCanceledException or IOException)
            {
                _failed++;
                log($"churn {step.Index} {step.Kind}: {e.Message}");
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private async Task DoAsync(ChurnStep step, CancellationToken ct)
    {
        switch (step.Kind)
        {
            case ChurnKind.CreateService when _services.Count < MaxServices:
                var name = SoakObjects.ServiceName(++_created);
                // A third ask for an address: from the soak pool or the example's IPv6 pool; the rest take one.
                IPAddress? requested = (step.Choice % 6) switch
                {
                    0 => SoakObjects.PoolAddresses.ElementAt(step.Choice / 6 % 8),
                    1 => SoakObjects.RequestedIpv6[step.Choice / 6 % SoakObjects.RequestedIpv6.Length],
                    _ => null,
                };
                await SoakObjects.CreateServiceAsync(api, name, requested, ct);
                _services.Add(name);
                log($"churn {step.Index}: created {name}{(requested is null ? "" : " asking for " + requested)}");
                break;
            case ChurnKind.CreateService or ChurnKind.DeleteService when _services.Count > 0:
                var victim = _services[step.Choice % _services.Count];
                await SoakObjects.DeleteAsync(api, $"{SoakObjects.Services}/{victim}", ct);
                _services.Remove(victim);
                log($"churn {step.Index}: deleted {victim}");
                break;
            case ChurnKind.EditPool:
                _poolShrunk = !_poolShrunk;
                await SoakObjects.PutPoolAsync(api, _poolShrunk ? SoakObjects.ShrunkRange : SoakObjects.PoolRange, ct);
                log($"churn {step.Index}: pool {(_poolShrunk ? "shrunk to " + SoakObjects.ShrunkRange : "grown back to " + SoakObjects.PoolRange)}");
                break;
            case ChurnKind.DeleteAndReAddPool:
                await SoakObjects.DeleteAsync(api, $"{SoakObjects.Pools}/{SoakObjects.Pool}", ct);
                log($"churn {step.Index}: pool deleted for {step.Absent.TotalSeconds:0.0} s");
                await Task.Delay(step.Absent, ct);
                await SoakObjects.AddPoolAsync(api, ct);
                _poolShrunk = false;
                log($"churn {step.Index}: pool re-added");
                break;
            case ChurnKind.EditAdvertisement:
                _advertisementOnEno2 = !_advertisementOnEno2;
                await SoakObjects.PutAdvertisementAsync(api, _advertisementOnEno2, ct);
                log($"churn {step.Index}: advertisement on {(_advertisementOnEno2 ? "eno2" : "every interface")}");
                break;
            case ChurnKind.DeleteAndReAddAdvertisement:
                await SoakObjects.DeleteAsync(api, $"{SoakObjects.Advertisements}/{SoakObjects.Advertisement}", ct);
                log($"churn {step.Index}: advertisement deleted for {step.Absent.TotalSeconds:0.0} s");
                await Task.Delay(step.Absent, ct);
                await SoakObjects.AddAdvertisementAsync(api, ct);
                _advertisementOnEno2 = true;
                log($"churn {step.Index}: advertisement re-added");
                break;
            default:
                break; // A delete with no Service left, a create at the cap: nothing to do this time.
        }
    }
}
