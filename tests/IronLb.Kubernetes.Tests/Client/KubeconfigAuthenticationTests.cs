using System.Net;
using IronLb.Kubernetes.Client;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>
/// The kubeconfig credentials IronLB's connection supports with KubernetesClient.Aot, against KubeSim over HTTPS
/// with RBAC enforced (any token it does not know is 401): a static token, and an exec credential plugin (the
/// client-go protocol kubelogin, aws and gke-gcloud-auth-plugin speak). Each has a negative row, so a client
/// that sent nothing, or the admin's token whatever the plugin said, would fail here.
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

    private static string Kubeconfig(KubeSim.KubeSim api, string user) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: sim
          cluster:
            server: {api.SecureBaseUrl.GetLeftPart(UriPartial.Authority)}
            certificate-authority-data: {api.CertificateAuthorityData}
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
