using System.Net;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// This speaker's ConfigurationState <c>speaker-&lt;node&gt;</c> (MetalLB 0.15.3): condition
/// configReconcilerValid with result Valid or Invalid, labels component-type=speaker and node-name, owner
/// the speaker Pod; plus IronLB's annotations: the membership endpoint, which is how the other speakers
/// find this one, and where its ARP and NDP replies come from (<see cref="Kubernetes.Status.ReplyPaths"/>),
/// which `ironlb status` shows. Writes only what differs from what is there, one metadata write at a time.
/// </summary>
internal sealed class SpeakerStateWriter(KubeConnection connection, string ns, string node, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private string? _statusWritten;
    private string? _replies;
    private string? _repliesWritten;

    private string Collection => ResourceTypes.MetalLbPath(ns, "configurationstates");

    private string ObjectPath => $"{Collection}/{SpeakerDirectory.StateName(node)}";

    /// <summary>Creates the object or corrects its labels, endpoint, reply paths and owner.</summary>
    public async Task EnsureAsync(IPEndPoint endpoint, V1OwnerReference? owner, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureCoreAsync(endpoint, owner, cancellationToken).ConfigureAwait(false);
            _repliesWritten = _replies;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Publishes where the replies come from; a no-op when that was written already. Before the object
    /// exists it only remembers the value, and <see cref="EnsureAsync"/> writes it with the rest.
    /// </summary>
    public async Task WriteRepliesAsync(string replies, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _replies = replies;
            if (replies == _repliesWritten)
            {
                return;
            }

            var meta = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [IronLbAnnotations.Layer2Replies] = replies } };
            await connection.PatchAsync(ObjectPath, MetadataPatch(meta), "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
            _repliesWritten = replies;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Not created yet: EnsureAsync includes _replies.
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task EnsureCoreAsync(IPEndPoint endpoint, V1OwnerReference? owner, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string> { [MetalLbLabels.ComponentType] = "speaker", [MetalLbLabels.NodeName] = node };
        var annotations = new Dictionary<string, string> { [SpeakerDirectory.EndpointAnnotation] = endpoint.ToString() };
        if (_replies is not null)
        {
            annotations[IronLbAnnotations.Layer2Replies] = _replies;
        }

        var owners = owner is null ? null : new List<V1OwnerReference> { owner };
        ConfigurationStateObject? current;
        try
        {
            current = JsonSerializer.Deserialize(await connection.GetAsync(ObjectPath, cancellationToken).ConfigureAwait(false), CrdJsonContext.Default.ConfigurationStateObject);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            current = null;
        }

        if (current is null)
        {
            var created = new ConfigurationStateObject
            {
                Metadata = new V1ObjectMeta
                {
                    Name = SpeakerDirectory.StateName(node),
                    NamespaceProperty = ns,
                    Labels = labels,
                    Annotations = annotations,
                    OwnerReferences = owners,
                },
            };
            await connection.PostAsync(Collection, JsonSerializer.Serialize(created, CrdJsonContext.Default.ConfigurationStateObject), cancellationToken).ConfigureAwait(false);
            return;
        }

        var meta = current.Metadata;
        var sameOwner = owner is null || (meta.OwnerReferences?.Any(o => o.Uid == owner.Uid) ?? false);
        if (labels.All(kv => meta.Labels?.Value(kv.Key) == kv.Value)
            && annotations.All(kv => meta.Annotations?.Value(kv.Key) == kv.Value) && sameOwner)
        {
            return;
        }

        var patch = new V1ObjectMeta { Labels = labels, Annotations = annotations, OwnerReferences = owners };
        await connection.PatchAsync(ObjectPath, MetadataPatch(patch), "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports whether this speaker's configuration is valid; a no-op when the last write said the same.</summary>
    public async Task WriteStatusAsync(IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var valid = errors.Count == 0;
        var summary = string.Join('\n', errors);
        var fingerprint = valid ? "valid" : summary;
        if (fingerprint == _statusWritten)
        {
            return;
        }

        var patch = ConfigurationStatePatch.Status("configReconcilerValid", errors, time.GetUtcNow().UtcDateTime);
        await connection.PatchAsync($"{ObjectPath}/status", patch, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
        _statusWritten = fingerprint;
    }

    public void Dispose() => _writing.Dispose();

    /// <summary>A merge patch of the metadata alone, serialized by the source-generated context.</summary>
    private static string MetadataPatch(V1ObjectMeta meta)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(new ConfigurationStateObject { Metadata = meta }, CrdJsonContext.Default.ConfigurationStateObject));
        return "{\"metadata\":" + document.RootElement.GetProperty("metadata").GetRawText() + "}";
    }
}
