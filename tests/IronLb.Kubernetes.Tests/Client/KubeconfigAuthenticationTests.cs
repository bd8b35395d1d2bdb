using System.Net;
using IronLb.Kubernetes.Client;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>
/// The kubeconfig credentials IronLB's connection supports with KubernetesClient.Aot, against KubeSim over HTTPS
/// with RBAC enforced (any token it does not know is 401): a static token, and an exec credential plugin (the
/// client-go protocol kubelogin, aws and gke-gcloud-auth-plugin speak); and the server's certificate trusted through
/// the kubeconfig's authority only. Each has a negative row, so a client that sent nothing, sent the admin's token
/// whatever the plugin said, or trusted any certificate, would fail here.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KubeconfigAuthenticationTests
{
    private const string AdminToken = "kubesim";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool, string, bool> Users => new()
    {
        { "a static token", false, AdminToken, true },
        { "a static token the server does not know", false, "nobody", false },
        { "an exec plugin printing a token", true, AdminToken, true },
        { "an exec plugin printing a token the server does not know", true, "nobody", false },
    };

    [Theory]
    [MemberData(nameof(Users))]
    public async Task A_kubeconfig_user_authenticates_with_what_it_names(string desc, bool exec, string token, bool admitted)
    {
        Assert.NotEmpty(desc);
        await using var api = await KubeSim.KubeSim.StartAsync(new KubeSim.KubeSimOptions { EnforceRbac = true });
        var folder = Directory.CreateTempSubdirectory("ironlb-auth-").FullName;
        try
        {
            var user = $"token: {token}";
            if (exec)
            {
                // The plugin is a program of its own, as kubelogin or gke-gcloud-auth-plugin are.
                var plugin = Path.Combine(folder, "plugin");
                await File.WriteAllTextAsync(plugin, $$$"""
                    #!/bin/sh
                    echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{token}}}"}}'
                    """, Token);
                File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                user = $"""
                    exec:
                          apiVersion: client.authentication.k8s.io/v1
                          command: {plugin}
                          interactiveMode: Never
                    """;
            }

            var path = Path.Combine(folder, "kubeconfig");
            await File.WriteAllTextAsync(path, Kubeconfig(api, user), Token);
            using var connection = KubeConnection.Create(path);
            var read = connection.GetAsync("api/v1/namespaces/default", Token);
            if (admitted)
            {
                Assert.Contains("\"name\":\"default\"", await read, StringComparison.Ordinal);
            }
            else
            {
                var refused = await Assert.ThrowsAsync<KubeApiException>(() => read);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static TheoryData<string, string?, bool> Trust => new()
    {
        { "no authority named: the self-signed server is refused", null, false },
        { "insecure-skip-tls-verify", "insecure-skip-tls-verify: true", true },
    };

    [Theory]
    [MemberData(nameof(Trust))]
    public async Task The_server_certificate_is_trusted_only_through_the_kubeconfig(string desc, string? trust, bool admitted)
    {
        Assert.NotEmpty(desc);
        await using var api = await KubeSim.KubeSim.StartAsync(new KubeSim.KubeSimOptions { EnforceRbac = true });
        var path = Path.Combine(Path.GetTempPath(), $"ironlb-trust-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(path, Kubeconfig(api, $"token: {AdminToken}", trust ?? ""), Token);
        try
        {
            using var connection = KubeConnection.Create(path);
            var read = connection.GetAsync("api/v1/namespaces/default", Token);
            if (admitted)
            {
                Assert.Contains("\"name\":\"default\"", await read, StringComparison.Ordinal);
            }
            else
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => read);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Kubeconfig(KubeSim.KubeSim api, string user, string? trust = null) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: sim
          cluster:
            server: {api.SecureBaseUrl.GetLeftPart(UriPartial.Authority)}
            {trust ?? "certificate-authority-data: " + api.CertificateAuthorityData}
        contexts:
        - name: sim
          context:
            cluster: sim
            user: u
        current-context: sim
        users:
        - name: u
          user:
            {user}
        """;
}
