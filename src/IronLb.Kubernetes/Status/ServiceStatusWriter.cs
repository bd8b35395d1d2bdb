using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Events;
using IronLb.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// Writes what converge decided: status.loadBalancer.ingress and the ip-allocated-from-pool annotation in
/// one update of services/status (the service status strategy keeps metadata changes), then the events.
/// It does not retry: a false answer sends the Service back to the controller's queue, which retries with back-off;
/// the events go out only with a status that was written.
/// </summary>
public sealed partial class ServiceStatusWriter(KubeConnection connection, EventRecorder events, WriteCounter writes, ILogger logger)
{
    private readonly ResourceClient<V1Service> _services = new(connection, ResourceTypes.Services);

    /// <summary>False when the write failed and the Service should be retried.</summary>
    public async Task<bool> WriteAsync(V1Service service, ConvergeResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(result);
        var ok = true;
        if (result.Changed)
        {
            // Never mutate the informer's cached object: write a copy.
            var copy = ResourceTypes.Services.Parse(ResourceTypes.Services.Serialize(service));
            copy.Status ??= new V1ServiceStatus();
            copy.Status.LoadBalancer = result.Ingress.IsEmpty
                ? new V1LoadBalancerStatus()
                : new V1LoadBalancerStatus { Ingress = [.. result.Ingress.Select(ip => new V1LoadBalancerIngress { Ip = ip })] };
            copy.Metadata.Annotations ??= new Dictionary<string, string>();
            if (result.PoolAnnotation is null)
            {
                copy.Metadata.Annotations.Remove(ServiceAnnotations.IpAllocatedFromPool);
            }
            else
            {
                copy.Metadata.Annotations[ServiceAnnotations.IpAllocatedFromPool] = result.PoolAnnotation;
            }

            try
            {
                await _services.ReplaceStatusAsync(copy, cancellationToken).ConfigureAwait(false);
                writes.Record(failed: false);
            }
            catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
            {
                writes.Record(failed: true);
                LogWriteFailed(logger, ApiFailure.StackWorthy(e), $"{service.Metadata?.NamespaceProperty}/{service.Metadata?.Name}", ApiFailure.Describe(e));
                ok = false;
            }
        }

        if (!ok)
        {
            // The retry converges again and records the events then: recording them now as well would say
            // "IPAllocated" for an allocation that was never written (a 409 on a stale cache), and twice.
            return false;
        }

        var target = EventRecorder.ReferenceTo("v1", "Service", service.Metadata);
        foreach (var e in result.Events)
        {
            await events.RecordAsync(target, e.Type.ToString(), e.Reason, e.Message, cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    [LoggerMessage(EventId = 240, Level = LogLevel.Warning, Message = "status of service {service} not written ({error}); retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception? exception, string service, string error);
}
