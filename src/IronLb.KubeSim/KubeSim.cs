using System.Net;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Authorization;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.KubeSim;

/// <summary>An in-memory Kubernetes API server on 127.0.0.1 over plain HTTP (RBAC enforced with
/// <see cref="KubeSimOptions.EnforceRbac"/>) that the real kubectl and KubernetesClient talk to. <c>await using var api = await KubeSim.StartAsync();</c></summary>
public sealed class KubeSim : IAsyncDisposable
{
    private readonly bool _ownsKubeconfig;
    private readonly KubeSimOptions _options;
    private readonly SemaphoreSlim _serving = new(1, 1);
    private readonly Access _access;
    private readonly ConcurrentBag<string> _tokenKubeconfigs = [];
    private WebApplication? _app;

    /// <summary>Who may do what, kept across stops and starts of serving as the objects are.</summary>
    private sealed record Access(AccessGate Gate, ServiceAccountTokens Tokens, AuthorizationAudit Audit, X509Certificate2 Certificate);

    private KubeSim(WebApplication app, Uri baseUrl, Uri secureBaseUrl, string kubeconfigPath, string kubeconfigYaml, bool ownsKubeconfig, ObjectService service, KubeSimOptions options, KubeSimFaults faults, Access access)
    {
        _app = app;
        _access = access;
        _options = options;
        Faults = faults;
        BaseUrl = baseUrl;
        SecureBaseUrl = secureBaseUrl;
        Kubeconfig = kubeconfigPath;
        KubeconfigYaml = kubeconfigYaml;
        _ownsKubeconfig = ownsKubeconfig;
        Service = service;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary><c>https://127.0.0.1:PORT</c> with a self-signed certificate (<see cref="CertificateAuthorityData"/>): the
    /// same server, for kubectl, which sends credentials over HTTPS only.</summary>
    public Uri SecureBaseUrl { get; }

    /// <summary>The HTTPS listener's certificate as a kubeconfig's <c>certificate-authority-data</c>.</summary>
    public string CertificateAuthorityData => ServingCertificate.AuthorityData(_access.Certificate);

    /// <summary>The path of a kubeconfig file pointing at this server (<c>kubectl --kubeconfig</c>).</summary>
    public string Kubeconfig { get; }

    /// <summary>The kubeconfig's content.</summary>
    public string KubeconfigYaml { get; }

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion => Service.Store.CurrentResourceVersion;

    internal ObjectService Service { get; }

    /// <summary>Black holes for chosen clients (see <see cref="KubeSimFaults"/>).</summary>
    public KubeSimFaults Faults { get; }

    /// <summary>Every authorization decision about a non-admin user (allowed or denied), enforced or not.</summary>
    public AuthorizationAudit Audit => _access.Audit;

    /// <summary>A new token for a ServiceAccount, as <c>kubectl create token NAME -n NS</c> issues it. The account must exist.</summary>
    public string CreateToken(string ns, string serviceAccount)
    {
        var type = Service.Registry.Find("", "v1", "serviceaccounts")!;
        var account = Service.Store.Read(tx => tx.Get(type.StorageKey, ns, serviceAccount))
            ?? throw new InvalidOperationException($"serviceaccount {ns}/{serviceAccount} does not exist: create it (or apply deploy/) first");
        return Json.JsonText.Str(TokenRequests.Issue(null, account, _access.Tokens, _options.TimeProvider.GetUtcNow()), "status", "token")!;
    }

    /// <summary>
    /// Writes a kubeconfig that acts as the ServiceAccount (a fresh token) and returns its path. Without a path it is a
    /// temporary file deleted when this server is disposed. The server is <see cref="BaseUrl"/> unless another is given:
    /// KubernetesClient sends its token over plain HTTP and components spend no CPU on TLS; kubectl needs
    /// <see cref="SecureBaseUrl"/> (or a relay to it) to send any.
    /// </summary>
    public string WriteKubeconfigFor(string ns, string serviceAccount, string? path = null, Uri? server = null)
    {
        if (path is null)
        {
            path = Path.Combine(Path.GetTempPath(), $"kubesim-{BaseUrl.Port}-{ns}-{serviceAccount}-{Guid.NewGuid():N}.kubeconfig");
            _tokenKubeconfigs.Add(path);
        }
        server ??= BaseUrl;
        File.WriteAllText(path, KubeconfigText(server, $"{ns}-{serviceAccount}", CreateToken(ns, serviceAccount), ns,
            server.Scheme == Uri.UriSchemeHttps ? CertificateAuthorityData : null));
        return path;
    }

    /// <summary>Creates the namespace unless it exists (for fixtures that need one before their objects).</summary>
    public void EnsureNamespace(string name)
    {
        var type = Service.Registry.Find("", "v1", "namespaces")!;
        if (Service.Store.Read(tx => tx.Get(type.StorageKey, "", name)) is null)
        {
            Service.Create(type, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, WriteOptions.Default);
        }
    }

    public static async Task<KubeSim> StartAsync(KubeSimOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeSimOptions();
        var registry = new ResourceRegistry();
        var store = new ObjectStore(options.WatchHistoryLimit);
        var service = new ObjectService(store, registry, options.TimeProvider);
        Bootstrap.Seed(service);
        var faults = new KubeSimFaults();
        var tokens = new ServiceAccountTokens();
        var audit = new AuthorizationAudit();
        var gate = new AccessGate(new Authenticator(service, tokens, options.EnforceRbac), new RbacAuthorizer(store), audit, options.EnforceRbac);
        var access = new Access(gate, tokens, audit, ServingCertificate.Create());
        var app = await ServeAsync(options, options.Port, 0, service, faults, access, cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var baseUrl = Address(addresses, "http://");
        var secureBaseUrl = Address(addresses, "https://");
        // kubectl sends the admin's token only over HTTPS, and with RBAC enforced it must; without, plain HTTP stays the
        // default so suites that have not switched over see no change.
        var yaml = KubeconfigText(options.EnforceRbac ? secureBaseUrl : baseUrl, "kubesim", Authenticator.AdminToken, "default",
            options.EnforceRbac ? ServingCertificate.AuthorityData(access.Certificate) : null);
        var owns = options.KubeconfigPath is null;
        var path = options.KubeconfigPath ?? Path.Combine(Path.GetTempPath(), $"kubesim-{baseUrl.Port}-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(path, yaml, cancellationToken).ConfigureAwait(false);
        return new KubeSim(app, baseUrl, secureBaseUrl, path, yaml, owns, service, options, faults, access);
    }

    /// <summary>
    /// The API server goes down as a crashed kube-apiserver does: open watches and requests are cut, and
    /// connections to its port are refused until <see cref="StartServingAsync"/>. The objects are kept.
    /// </summary>
    public async Task StopServingAsync()
    {
        await _serving.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_app is { } app)
            {
                _app = null;
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await app.StopAsync(quick.Token).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _serving.Release();
        }
    }

    /// <summary>Serves again on the same port, with every object as it was.</summary>
    public async Task StartServingAsync(CancellationToken cancellationToken = default)
    {
        await _serving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _app ??= await ServeAsync(_options, BaseUrl.Port, SecureBaseUrl.Port, Service, Faults, _access, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serving.Release();
        }
    }

    /// <summary>True between a start and a stop of serving.</summary>
    public bool IsServing => _app is not null;

    private static Uri Address(ICollection<string> addresses, string scheme) =>
        new(addresses.FirstOrDefault(a => a.StartsWith(scheme, StringComparison.Ordinal))?.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            ?? throw new InvalidOperationException($"Kestrel reported no {scheme} address"));

    private static async Task<WebApplication> ServeAsync(KubeSimOptions options, int port, int securePort, ObjectService service, KubeSimFaults faults, Access access, CancellationToken cancellationToken)
    {
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Only what is configured here counts: no ASPNETCORE_URLS or appsettings may add a listener elsewhere.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Listen(IPAddress.Loopback, securePort, listen => listen.UseHttps(access.Certificate));
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var handler = new ApiHandler(service, options.TimeProvider, options.BookmarkInterval, loggerFactory.CreateLogger("IronLb.KubeSim"),
            faults, access.Gate, access.Tokens, app.Lifetime.ApplicationStopping);
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return app;
    }

    /// <summary>Creates an object as a client would, through the same pipeline (for fixtures).</summary>
    public string Create(string apiVersion, string plural, string? ns, string json)
    {
        var (group, version) = apiVersion.Contains('/', StringComparison.Ordinal)
            ? (apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)], apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..])
            : ("", apiVersion);
        var type = Service.Registry.Find(group, version, plural) ?? throw new ArgumentException($"{plural}.{group}/{version} is not served", nameof(plural));
        var body = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("not a JSON object", nameof(json));
        return Json.JsonText.Compact(Service.Create(type, ns ?? "", body, WriteOptions.Default).Object);
    }

    /// <summary>
    /// Creates every object of a multi-document YAML manifest through the same pipeline, as <c>kubectl create -f</c>
    /// would (for fixtures: deploy/rbac's ServiceAccounts, Roles and bindings, without a kubectl process). Returns how
    /// many objects were created.
    /// </summary>
    public int CreateFromYaml(string yaml)
    {
        var created = 0;
        foreach (var document in System.Text.RegularExpressions.Regex.Split(yaml, "^---[ \t]*$", System.Text.RegularExpressions.RegexOptions.Multiline))
        {
            if (Json.YamlToJson.Convert(document) is not JsonObject obj)
            {
                continue;
            }
            var apiVersion = Json.JsonText.Str(obj, "apiVersion") ?? "";
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            var type = Service.Registry.FindByKind(group, version, Json.JsonText.Str(obj, "kind") ?? "")
                ?? throw new ArgumentException($"{Json.JsonText.Str(obj, "kind")} in {apiVersion} is not served", nameof(yaml));
            Service.Create(type, Json.JsonText.Str(obj, "metadata", "namespace") ?? "", obj, WriteOptions.Default);
            created++;
        }
        return created;
    }

    public async ValueTask DisposeAsync()
    {
        await StopServingAsync().ConfigureAwait(false);
        _serving.Dispose();
        _access.Certificate.Dispose();
        if (_ownsKubeconfig)
        {
            File.Delete(Kubeconfig);
        }
        foreach (var path in _tokenKubeconfigs)
        {
            File.Delete(path);
        }
    }

    private static string KubeconfigText(Uri baseUrl, string user, string token, string ns, string? authorityData = null) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubesim
          cluster:
            server: {{baseUrl.GetLeftPart(UriPartial.Authority)}}{{(authorityData is null ? "" : "\n    certificate-authority-data: " + authorityData)}}
        contexts:
        - name: kubesim
          context:
            cluster: kubesim
            user: {{user}}
            namespace: {{ns}}
        current-context: kubesim
        users:
        - name: {{user}}
          user:
            token: {{token}}
        preferences: {}

        """;
}
