using System.Text;
using IronLb.Core.Configuration;
using k8s.Models;

namespace IronLb.Kubernetes.Mapping;

/// <summary>
/// A peer's TCP MD5 password as the speaker will use it: <see cref="Password"/> is null when the peer has none;
/// <see cref="Error"/> says, naming the Secret, why a passwordSecret could not be read (then the peer's session
/// stays down until the Secret is right).
/// </summary>
public sealed record PeerPassword(string? Password, string? Error)
{
    public bool Resolved => Error is null;
}

/// <summary>
/// Resolves a BGPPeer's spec.passwordSecret from the Secrets of MetalLB's namespace, as MetalLB reads it: type
/// kubernetes.io/basic-auth, the password under the key "password". Core reads no Secrets, so the parsed
/// configuration stays valid whatever the Secret holds; where MetalLB rejects the whole configuration until the
/// Secret is right (a missing one is a transient error there), IronLB keeps every other peer and pool working and
/// holds only this peer's session down, with this error in the speaker's log (docs/differences.md).
/// </summary>
public static class PeerPasswords
{
    public const string BasicAuthType = "kubernetes.io/basic-auth";
    public const string PasswordKey = "password";

    /// <param name="peer">A validated peer (inline password and passwordSecret are never both set).</param>
    /// <param name="configNamespace">MetalLB's namespace, the only one whose Secrets the speaker may read.</param>
    /// <param name="secrets">The Secrets of that namespace (an informer's store, or a list read once).</param>
    public static PeerPassword Resolve(BgpPeer peer, string configNamespace, IEnumerable<V1Secret> secrets)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(configNamespace);
        ArgumentNullException.ThrowIfNull(secrets);
        if (peer.PasswordSecret is not { Name: { Length: > 0 } name } reference)
        {
            return new PeerPassword(peer.Password, null);
        }

        var qualified = $"\"{configNamespace}/{name}\"";
        if (!string.IsNullOrEmpty(reference.Namespace) && !string.Equals(reference.Namespace, configNamespace, StringComparison.Ordinal))
        {
            return Failed(peer, $"passwordSecret names Secret \"{reference.Namespace}/{name}\", outside {configNamespace}: IronLB, like MetalLB, reads Secrets in {configNamespace} only");
        }

        var secret = secrets.FirstOrDefault(s => string.Equals(s.Metadata?.Name, name, StringComparison.Ordinal)
            && (s.Metadata?.NamespaceProperty is null || string.Equals(s.Metadata.NamespaceProperty, configNamespace, StringComparison.Ordinal)));
        if (secret is null)
        {
            return Failed(peer, $"secret ref not found for peer config: Secret {qualified} does not exist (or the speaker may not read it)");
        }

        if (!string.Equals(secret.Type, BasicAuthType, StringComparison.Ordinal))
        {
            return Failed(peer, $"secret type mismatch on {qualified}: type {BasicAuthType} is expected, not \"{secret.Type ?? "Opaque"}\"");
        }

        if (secret.Data is null || !secret.Data.TryGetValue(PasswordKey, out var bytes) || bytes is null || bytes.Length == 0)
        {
            return Failed(peer, $"password not specified in the secret {qualified}: it needs the key \"{PasswordKey}\"");
        }

        string password;
        try
        {
            password = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Failed(peer, $"the password in the secret {qualified} is not UTF-8 text");
        }

        return password.AsSpan().IndexOfAny('\n', '\r') >= 0
            ? Failed(peer, $"the password in the secret {qualified} contains invalid characters (a line break)")
            : new PeerPassword(password, null);
    }

    private static PeerPassword Failed(BgpPeer peer, string message) => new(null, $"BGPPeer {peer.Name}: {message}; its session stays down");
}
