using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Controller;

/// <summary>
/// ConfigurationState "controller" (MetalLB 0.15.3): condition poolReconcilerValid, result Valid or
/// Invalid, and the error summary. Written only when the outcome changes.
/// </summary>
internal sealed class ConfigurationStateWriter(KubeConnection connection, string ns, TimeProvider time)
{
    private const string Name = "controller";
    private string? _written;

    public async Task WriteAsync(IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var valid = errors.Count == 0;
        var summary = string.Join('\n', errors);
        var fingerprint = valid ? "valid" : summary;
        if (fingerprint == _written)
        {
            return;
        }

        var path = ResourceTypes.MetalLbPath(ns, "configurationstates");
        if (_written is null && await AlreadyReportsAsync($"{path}/{Name}", valid, summary, cancellationToken).ConfigureAwait(false))
        {
            // A restarted controller finds its predecessor's report still true: no write.
            _written = fingerprint;
            return;
        }

        var state = new ConfigurationStateObject
        {
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { [MetalLbLabels.ComponentType] = "controller" },
            },
        };
        try
        {
            await connection.PostAsync(path, JsonSerializer.Serialize(state, CrdJsonContext.Default.ConfigurationStateObject), cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // Exists already: only its status changes below.
        }

        var patch = ConfigurationStatePatch.Status("poolReconcilerValid", errors, time.GetUtcNow().UtcDateTime);
        await connection.PatchAsync($"{path}/{Name}/status", patch, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
        _written = fingerprint;
    }

    private async Task<bool> AlreadyReportsAsync(string objectPath, bool valid, string summary, CancellationToken cancellationToken)
    {
        try
        {
            var current = JsonSerializer.Deserialize(await connection.GetAsync(objectPath, cancellationToken).ConfigureAwait(false), CrdJsonContext.Default.ConfigurationStateObject);
            return current?.Status is { } status
                && status.Result == (valid ? "Valid" : "Invalid")
                && (status.ErrorSummary ?? "") == summary;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }
}
