using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;

namespace IronLb.Kubernetes.Client;

/// <summary>
/// The HTTP side of a connection, made from a kubeconfig or in-cluster configuration: where the API server is, a
/// client that trusts its certificate authority (and presents a client certificate when one is configured), and the
/// credentials each request carries (a token, a token file re-read as the kubelet rotates it, an exec plugin's
/// token, or a user name and password).
/// </summary>
/// <remarks>
/// This is what KubernetesClient's <c>Kubernetes</c> constructor would build. That constructor also reads
/// <c>KubernetesClientConfiguration.JsonSerializerOptions</c>, which pulls in the client's JSON context for every
/// Kubernetes model: with it, the NativeAOT binary carries all of them, and every speaker hydrates their type data
/// into private memory at start (docs/performance.md, "Speaker memory"). IronLB sends its own requests and parses
/// with its own contexts, so it needs only this.
/// </remarks>
internal sealed class ApiServerHttp : IDisposable
{
    private ApiServerHttp(Uri baseUri, HttpClient http, ServiceClientCredentials? credentials)
    {
        BaseUri = baseUri;
        Http = http;
        Credentials = credentials;
    }

    /// <summary>The server's address, ending in "/" so relative paths resolve under it.</summary>
    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    /// <summary>Adds the Authorization header to a request; null when the configuration names no credentials.</summary>
    public ServiceClientCredentials? Credentials { get; }

    public static ApiServerHttp Create(KubernetesClientConfiguration configuration, IReadOnlyList<DelegatingHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(handlers);
        if (string.IsNullOrWhiteSpace(configuration.Host) || !Uri.TryCreate(configuration.Host, UriKind.Absolute, out var host))
        {
            throw new KubeConfigException($"the configuration names no usable API server address (\"{configuration.Host}\")");
        }

        var baseUri = host.AbsoluteUri.EndsWith('/') ? host : new Uri(host.AbsoluteUri + "/");
        var transport = new SocketsHttpHandler();
        if (baseUri.Scheme == Uri.UriSchemeHttps)
        {
            Secure(transport, configuration);
        }

        HttpMessageHandler first = transport;
        foreach (var handler in handlers.Reverse())
        {
            handler.InnerHandler = first;
            first = handler;
        }

        // Every request has its own deadline in KubeConnection, and a watch streams for minutes.
        var http = new HttpClient(first) { Timeout = Timeout.InfiniteTimeSpan };
        return new ApiServerHttp(baseUri, http, CredentialsOf(configuration));
    }

    private static void Secure(SocketsHttpHandler transport, KubernetesClientConfiguration configuration)
    {
        if (configuration.SkipTlsVerify)
        {
            // insecure-skip-tls-verify: true in the kubeconfig, the user's explicit choice, as kubectl honours it.
#pragma warning disable CA5359
            transport.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (configuration.SslCaCerts is { Count: > 0 } authorities)
        {
            // The kubeconfig's (or the service account's) certificate authority is the only root trusted.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(authorities);
            transport.SslOptions.CertificateChainPolicy = policy;
        }

        if (!string.IsNullOrEmpty(configuration.TlsServerName))
        {
            transport.SslOptions.TargetHost = configuration.TlsServerName;
        }

        if (ClientCertificate(configuration) is { } certificate)
        {
            transport.SslOptions.ClientCertificates = [certificate];
        }
    }

    /// <summary>client-certificate(-data) and client-key(-data), as PEM; null when the user has none.</summary>
    private static X509Certificate2? ClientCertificate(KubernetesClientConfiguration configuration)
    {
        var certificate = Pem(configuration.ClientCertificateData, configuration.ClientCertificateFilePath);
        var key = Pem(configuration.ClientCertificateKeyData, configuration.ClientKeyFilePath);
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    private static string? Pem(string? base64, string? path) =>
        !string.IsNullOrEmpty(base64) ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64))
        : !string.IsNullOrEmpty(path) ? File.ReadAllText(path)
        : null;

    private static ServiceClientCredentials? CredentialsOf(KubernetesClientConfiguration configuration) =>
        configuration.TokenProvider is { } provider ? new TokenCredentials(provider)
        : !string.IsNullOrEmpty(configuration.AccessToken) ? new TokenCredentials(configuration.AccessToken)
        : !string.IsNullOrEmpty(configuration.Username) ? new BasicAuthenticationCredentials { UserName = configuration.Username, Password = configuration.Password }
        : null;

    public void Dispose() => Http.Dispose();
}
