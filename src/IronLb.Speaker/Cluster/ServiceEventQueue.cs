using System.Threading.Channels;
using IronLb.Kubernetes.Events;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Events on Services (source metallb-speaker) recorded off the election path: a failover publishes the new
/// table first and the events follow, so slow API calls never delay an announcement. Bounded: under an event
/// storm the oldest are dropped, as Kubernetes' own event broadcaster does.
/// </summary>
internal sealed class ServiceEventQueue(EventRecorder recorder)
{
    private readonly Channel<(V1ObjectReference Target, string Type, string Reason, string Message)> _pending =
        Channel.CreateBounded<(V1ObjectReference, string, string, string)>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(V1ObjectReference target, string type, string reason, string message) =>
        _pending.Writer.TryWrite((target, type, reason, message));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (target, type, reason, message) in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await recorder.RecordAsync(target, type, reason, message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
