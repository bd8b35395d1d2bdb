using System.Collections.Immutable;
using IronLb.Core.Configuration;
using IronLb.Kubernetes.Mapping;
using IronLb.Manifests;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Files;

/// <summary>
/// A BGPPeer's MD5 password in file mode: inline, or from a Secret in the same manifests, resolved by the very rules
/// the cluster speaker uses (<see cref="PeerPasswords"/>: MetalLB's namespace, type basic-auth, key "password"). A
/// Secret that cannot be used is logged when its reason changes, and the peer's session stays down.
/// </summary>
internal sealed partial class ManifestPeerPasswords(string configNamespace, ILogger logger)
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    /// <summary>The resolver for one evaluation, over the Secrets that evaluation read.</summary>
    public Func<BgpPeer, string?> For(ImmutableArray<ManifestSecret> secrets)
    {
        var objects = secrets.Select(s => new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = s.Name, NamespaceProperty = configNamespace },
            Type = s.Type,
            Data = s.Data.ToDictionary(d => d.Key, d => d.Value.ToArray(), StringComparer.Ordinal),
        }).ToList();
        return peer => Resolve(peer, objects);
    }

    private string? Resolve(BgpPeer peer, List<V1Secret> secrets)
    {
        var resolved = PeerPasswords.Resolve(peer, configNamespace, secrets);
        if (resolved.Error is not { } error)
        {
            _errors.Remove(peer.Name);
            return resolved.Password;
        }

        if (!_errors.TryGetValue(peer.Name, out var before) || before != error)
        {
            LogUnresolved(logger, peer.Name, error);
        }

        _errors[peer.Name] = error;
        return null;
    }

    [LoggerMessage(EventId = 261, Level = LogLevel.Error, Message = "BGPPeer {peer}: {error}; its session stays down until the Secret in the manifests is right")]
    private static partial void LogUnresolved(ILogger logger, string peer, string error);
}
