using IronLb.Core.Addressing;
using IronLb.Core.Configuration;
using IronLb.Manifests;
using IronLb.Speaker.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Files;

/// <summary>
/// A BGPPeer's password in file mode, from a Secret in the same manifests (read by <see cref="ManifestReader"/>), by
/// the cluster speaker's rules: one row per outcome; null means the peer's session stays down.
/// </summary>
public sealed class ManifestPeerPasswordsTests
{
    private static readonly BgpPeer Tor = new() { Name = "tor", MyAsn = 64512, PeerAsn = 64513, Address = Address.Parse("192.0.2.1") };

    public static TheoryData<string, string, string, string?> Rows => new()
    {
        { "a basic-auth Secret's password", Secret("bgp-md5", "kubernetes.io/basic-auth", "password: czNjcmV0"), "bgp-md5", "s3cret" },
        { "the wrong type", Secret("bgp-md5", "Opaque", "password: czNjcmV0"), "bgp-md5", null },
        { "no password key", Secret("bgp-md5", "kubernetes.io/basic-auth", "username: czNjcmV0"), "bgp-md5", null },
        { "another Secret's name", Secret("other", "kubernetes.io/basic-auth", "password: czNjcmV0"), "bgp-md5", null },
        { "a Secret outside metallb-system", Secret("bgp-md5", "kubernetes.io/basic-auth", "password: czNjcmV0").Replace("metallb-system", "web", StringComparison.Ordinal), "bgp-md5", null },
        { "no passwordSecret: the inline password", Secret("bgp-md5", "kubernetes.io/basic-auth", "password: czNjcmV0"), "", "inline" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Resolves_the_passwordSecret_from_the_manifests_Secrets(string row, string yaml, string secretName, string? expected)
    {
        var read = ManifestReader.ReadText("secret.yaml", yaml);
        Assert.Empty(read.Errors);
        var peer = secretName.Length == 0 ? Tor with { Password = "inline" } : Tor with { PasswordSecret = new SecretReferenceSpec(secretName) };

        var password = new ManifestPeerPasswords(ClusterResources.DefaultConfigNamespace, NullLogger.Instance).For(read.Secrets)(peer);

        Assert.True(expected == password, $"{row}: expected {expected ?? "(none)"}, got {password ?? "(none)"}");
    }

    private static string Secret(string name, string type, string data) => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: {{name}}, namespace: metallb-system}
        type: {{type}}
        data: {{{data}}}
        """;
}
