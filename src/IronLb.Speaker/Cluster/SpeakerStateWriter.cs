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
/// the speaker Pod; plus IronLB's membership endpoint annotation, which is how the other speakers find this
/// one. Writes only what differs from what is there.
/// </summary>
internal sealed class SpeakerStateWriter(KubeConnection connection, string ns, string node, TimeProvider time)
{
    private string? _statusWritten;

    private string Collection => ResourceTypes.MetalLbPath(ns, "configurationstates");

    private string ObjectPath => $"{Collection}/{SpeakerDirectory.StateName(node)}";

    /// <summary>Creates the object or corrects its labels, endpoint and owner.</summary>
    public async Task EnsureAsync(IPEndPoint endpoint, V1OwnerReference? owner, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string> { [MetalLbLabels.ComponentType] = "speaker", [MetalLbLabels.NodeName] = node };
        var annotations = new Dictionary<string, string> { [SpeakerDirectory.EndpointAnnotation] = endpoint.ToString() };
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
            && meta.Annotations?.Value(SpeakerDirectory.EndpointAnnotation) == endpoint.ToString() && sameOwner)
        {
            return;
        }

        var patch = new ConfigurationStateObject { Metadata = new V1ObjectMeta { Labels = labels, Annotations = annotations, OwnerReferences = owners } };
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(patch, CrdJsonContext.Default.ConfigurationStateObject));
        var body = "{\"metadata\":" + document.RootElement.GetProperty("metadata").GetRawText() + "}";
        await connection.PatchAsync(ObjectPath, body, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
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
}
