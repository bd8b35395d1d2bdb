using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// The writes behind a speaker's ServiceL2Status objects (MetalLB §1.4): create one for a Service this node
/// announces (generateName <c>l2-</c>, labels node/service-name/service-namespace, owner the speaker Pod),
/// correct its status, delete one. Deciding which is the speaker's status reconciler's job; it calls these
/// from its own queue, which retries a failure with back-off. Every call is counted. The status may carry conditions
/// (IronLB's addition, #16: an address conflict, see <see cref="ServiceL2Conditions"/>); without any, the object is
/// exactly MetalLB's.
/// </summary>
public sealed class ServiceL2StatusWriter(KubeConnection connection, string ns, string node, WriteCounter writes)
{
    // A status patch names these even when it leaves them out, so that "no conditions" really removes them.
    private static readonly string[] Removable = ["conditions"];

    private readonly ResourceClient<ServiceL2StatusObject> _statuses = new(connection, ResourceTypes.ServiceL2Statuses(ns));

    /// <summary>
    /// Creates this node's object for <paramref name="service"/>. Returns its generated name and whether its status
    /// came through: with the status subresource the API server drops status on create, and the caller, having
    /// remembered the name first, writes it with <c>PatchStatusAsync</c>.
    /// </summary>
    public Task<(string Name, bool StatusWritten)> CreateAsync(ServiceKey service, IReadOnlyList<string> interfaces, V1OwnerReference? owner, CancellationToken cancellationToken) =>
        CreateAsync(service, interfaces, [], owner, cancellationToken);

    /// <summary>As the overload without conditions, with <paramref name="conditions"/> in the status (none: no field).</summary>
    public async Task<(string Name, bool StatusWritten)> CreateAsync(ServiceKey service, IReadOnlyList<string> interfaces, IReadOnlyList<V1Condition> conditions, V1OwnerReference? owner, CancellationToken cancellationToken)
    {
        var body = new ServiceL2StatusObject
        {
            Metadata = ServiceStatusMetadata.For("l2-", ns, node, service, owner),
            Status = StatusFor(service, interfaces, conditions),
        };
        var created = await CountedAsync(_statuses.CreateAsync(body, cancellationToken)).ConfigureAwait(false);
        var name = created.Metadata.Name ?? throw new System.Text.Json.JsonException("created ServiceL2Status without a name");
        return (name, created.Status?.Node == node);
    }

    /// <summary>Makes the object's status name this node, the Service and the interfaces, without conditions.</summary>
    public Task PatchStatusAsync(string name, ServiceKey service, IReadOnlyList<string> interfaces, CancellationToken cancellationToken) =>
        PatchStatusAsync(name, service, interfaces, [], cancellationToken);

    /// <summary>
    /// Makes the object's status name this node, the Service and the interfaces, with exactly <paramref name="conditions"/>
    /// (the list is replaced whole; none removes the field). Merge them with <see cref="ServiceL2Conditions.Merge"/> first
    /// to keep their transition times.
    /// </summary>
    public Task PatchStatusAsync(string name, ServiceKey service, IReadOnlyList<string> interfaces, IReadOnlyList<V1Condition> conditions, CancellationToken cancellationToken) =>
        CountedAsync(_statuses.PatchStatusAsync(ns, name, new ServiceL2StatusObject { Status = StatusFor(service, interfaces, conditions) }, Removable, cancellationToken));

    /// <summary>Deletes the object; false when someone else was faster.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        CountedAsync(_statuses.DeleteAsync(ns, name, cancellationToken));

    private async Task<T> CountedAsync<T>(Task<T> write)
    {
        try
        {
            var result = await write.ConfigureAwait(false);
            writes.Record(failed: false);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            writes.Record(failed: true);
            throw;
        }
    }

    private ServiceL2StatusStatus StatusFor(ServiceKey service, IReadOnlyList<string> interfaces, IReadOnlyList<V1Condition> conditions) => new()
    {
        Node = node,
        ServiceName = service.Name,
        ServiceNamespace = service.Namespace,
        Interfaces = [.. interfaces.Select(i => new InterfaceName { Name = i })],
        Conditions = conditions.Count == 0 ? null : [.. conditions],
    };
}
