using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// A speaker's ServiceBGPStatus objects (MetalLB ≥ 0.15, metallb-bgp.md §1.5): one per Service this node
/// announces over BGP, as MetalLB writes them (generateName <c>bgp-</c>, labels node/service-name/service-namespace,
/// owner the speaker Pod, status node/serviceName/serviceNamespace and the sorted BGPPeer names). <see cref="SyncAsync"/>
/// makes this node's objects equal a desired set: created when missing, patched when the peers differ, deleted when
/// the Service is no longer announced (an empty peer set counts as not announced) and when duplicated. Other
/// nodes' objects are never touched: each speaker keeps its own. Every write is counted; a failure propagates
/// for the caller's queue to retry, and a retry with the same inputs writes only what is still missing.
/// </summary>
public sealed class ServiceBgpStatusWriter(KubeConnection connection, string ns, string node, WriteCounter writes)
{
    private readonly ResourceClient<ServiceBgpStatusObject> _statuses = new(connection, ResourceTypes.ServiceBgpStatuses(ns));

    /// <summary>The label selector of this node's objects.</summary>
    public string Selector => $"{MetalLbLabels.Node}={node}";

    /// <summary>This node's objects, read once (a speaker with an informer passes its store to <see cref="SyncAsync"/> instead).</summary>
    public async Task<IReadOnlyList<ServiceBgpStatusObject>> ListMineAsync(CancellationToken cancellationToken) =>
        (await _statuses.ListAsync(ns, Selector, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// Writes what it takes for this node's objects among <paramref name="existing"/> to equal <paramref name="desired"/>
    /// (Service → the BGPPeers it is announced to from this node). Returns the number of writes (0 when already equal).
    /// </summary>
    public async Task<int> SyncAsync(
        IReadOnlyDictionary<ServiceKey, ImmutableSortedSet<string>> desired,
        IEnumerable<ServiceBgpStatusObject> existing,
        V1OwnerReference? owner,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(existing);
        var count = 0;
        var mine = existing.Where(IsMine)
            .OrderBy(s => s.Metadata.CreationTimestamp ?? DateTime.MaxValue).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .GroupBy(s => ServiceOf(s) ?? new ServiceKey("", ""))
            .ToDictionary(g => g.Key, g => g.ToList());

        // Deletions first (Services no longer announced, duplicates, objects without a Service): a Service moved
        // off this node never shows stale peers next to its fresh ones.
        foreach (var (key, objects) in mine.OrderBy(m => m.Key, ServiceKey.Ordinal))
        {
            var keep = desired.TryGetValue(key, out var peers) && !peers.IsEmpty ? 1 : 0;
            foreach (var extra in objects.Skip(keep))
            {
                count += await DeleteAsync(extra.Metadata.Name ?? "", cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        foreach (var (key, peers) in desired.Where(d => !d.Value.IsEmpty).OrderBy(d => d.Key, ServiceKey.Ordinal))
        {
            var own = mine.TryGetValue(key, out var objects) ? objects[0] : null;
            if (own is null)
            {
                var (name, statusWritten) = await CreateAsync(key, peers, owner, cancellationToken).ConfigureAwait(false);
                count++;
                if (!statusWritten)
                {
                    await PatchStatusAsync(name, key, peers, cancellationToken).ConfigureAwait(false);
                    count++;
                }
            }
            else if (!Reports(own, key, peers))
            {
                await PatchStatusAsync(own.Metadata.Name ?? "", key, peers, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Creates this node's object for <paramref name="service"/>. Returns its generated name and whether its status
    /// came through (the status subresource drops status on create; then <see cref="PatchStatusAsync"/> writes it).
    /// </summary>
    public async Task<(string Name, bool StatusWritten)> CreateAsync(ServiceKey service, IEnumerable<string> peers, V1OwnerReference? owner, CancellationToken cancellationToken)
    {
        var body = new ServiceBgpStatusObject
        {
            Metadata = ServiceStatusMetadata.For("bgp-", ns, node, service, owner),
            Status = StatusFor(service, peers),
        };
        var created = await CountedAsync(_statuses.CreateAsync(body, cancellationToken)).ConfigureAwait(false);
        var name = created.Metadata.Name ?? throw new System.Text.Json.JsonException("created ServiceBGPStatus without a name");
        return (name, Reports(created, service, Sorted(peers)));
    }

    /// <summary>Makes the object's status name this node, the Service and exactly these peers (sorted).</summary>
    public Task PatchStatusAsync(string name, ServiceKey service, IEnumerable<string> peers, CancellationToken cancellationToken) =>
        CountedAsync(_statuses.PatchStatusAsync(ns, name, new ServiceBgpStatusObject { Status = StatusFor(service, peers) }, cancellationToken));

    /// <summary>Deletes the object; false when it was already gone.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        CountedAsync(_statuses.DeleteAsync(ns, name, cancellationToken));

    private bool IsMine(ServiceBgpStatusObject status) =>
        status.Metadata.Labels is { } labels && labels.TryGetValue(MetalLbLabels.Node, out var labelled) && labelled == node;

    private static ServiceKey? ServiceOf(ServiceBgpStatusObject status) =>
        status.Metadata.Labels is { } labels
        && labels.TryGetValue(MetalLbLabels.ServiceNamespace, out var serviceNs) && !string.IsNullOrEmpty(serviceNs)
        && labels.TryGetValue(MetalLbLabels.ServiceName, out var name) && !string.IsNullOrEmpty(name)
            ? new ServiceKey(serviceNs, name)
            : null;

    private bool Reports(ServiceBgpStatusObject status, ServiceKey service, ImmutableSortedSet<string> peers) =>
        status.Status is { } s
        && s.Node == node && s.ServiceName == service.Name && s.ServiceNamespace == service.Namespace
        && (s.Peers ?? []).SequenceEqual(peers, StringComparer.Ordinal);

    private static ImmutableSortedSet<string> Sorted(IEnumerable<string> peers) => ImmutableSortedSet.CreateRange(StringComparer.Ordinal, peers);

    private ServiceBgpStatusStatus StatusFor(ServiceKey service, IEnumerable<string> peers) => new()
    {
        Node = node,
        ServiceName = service.Name,
        ServiceNamespace = service.Namespace,
        Peers = [.. Sorted(peers)],
    };

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
}
