using IronLb.Core.Allocation;
using IronLb.Kubernetes.Events;
using k8s;
using k8s.Models;

namespace IronLb.Controller;

/// <summary>
/// Writes what converge decided: status.loadBalancer.ingress and the ip-allocated-from-pool annotation in
/// one update of services/status (the service status strategy keeps metadata changes), then the events.
/// </summary>
internal sealed class ServiceStatusWriter(k8s.Kubernetes client, EventRecorder events, ControllerMetrics metrics)
{
    /// <summary>False when the write failed and the Service should be retried.</summary>
    public async Task<bool> WriteAsync(V1Service service, ConvergeResult result, CancellationToken cancellationToken)
    {
        var ok = true;
        if (result.Changed)
        {
            // Never mutate the informer's cached object: write a copy.
            var copy = KubernetesJson.Deserialize<V1Service>(KubernetesJson.Serialize(service));
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
                await client.CoreV1.ReplaceNamespacedServiceStatusAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                metrics.Update(failed: false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                metrics.Update(failed: true);
                ok = false;
            }
        }

        var target = EventRecorder.ReferenceTo("v1", "Service", service.Metadata);
        foreach (var e in result.Events)
        {
            await events.RecordAsync(target, e.Type.ToString(), e.Reason, e.Message, cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }
}
