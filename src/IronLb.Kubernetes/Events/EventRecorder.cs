using System.Globalization;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Events;

/// <summary>
/// Records core/v1 Events on objects with a fixed source component (metallb-controller, metallb-speaker),
/// as MetalLB does. Recording is best effort: a failed event is logged, never retried, never fatal.
/// </summary>
public sealed partial class EventRecorder(KubeConnection connection, string component, TimeProvider time, ILogger logger)
{
    private readonly ResourceClient<Corev1Event> _events = new(connection, ResourceTypes.Events);

    public async Task RecordAsync(V1ObjectReference target, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var now = time.GetUtcNow().UtcDateTime;
        var ns = string.IsNullOrEmpty(target.NamespaceProperty) ? "default" : target.NamespaceProperty;
        var name = string.Create(CultureInfo.InvariantCulture, $"{target.Name}.{now.Ticks:x}{Random.Shared.Next(0xFFFF):x4}");
        var body = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            InvolvedObject = target,
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = component },
            ReportingComponent = component,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await _events.CreateAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A request timeout is a cancellation too, but not ours: it must not end the caller's loop as a shutdown would.
            LogEventFailed(logger, e, reason, target.Name);
        }
    }

    /// <summary>
    /// The event's target. Kind and apiVersion are given, not read from the object: objects from a list or
    /// an informer cache carry neither.
    /// </summary>
    public static V1ObjectReference ReferenceTo(string apiVersion, string kind, V1ObjectMeta? metadata) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = metadata?.Name,
        NamespaceProperty = metadata?.NamespaceProperty,
        Uid = metadata?.Uid,
        ResourceVersion = metadata?.ResourceVersion,
    };

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "could not record event {reason} on {name}")]
    private static partial void LogEventFailed(ILogger logger, Exception exception, string reason, string name);
}
