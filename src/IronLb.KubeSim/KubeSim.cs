using System.Net;
using System.Text.Json.Nodes;
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

/// <summary>An in-memory Kubernetes API server on 127.0.0.1 over plain HTTP (any bearer token is accepted) that
/// the real kubectl and KubernetesClient talk to. <c>await using var api = await KubeSim.StartAsync();</c></summary>
public sealed class KubeSim : IAsyncDisposable
{
    private readonly bool _ownsKubeconfig;
    private readonly KubeSimOptions _options;
    private readonly SemaphoreSlim _serving = new(1, 1);
    private WebApplication? _app;

    private KubeSim(WebApplication app, Uri baseUrl, string kubeconfigPath, string kubeconfigYaml, bool ownsKubeconfig, ObjectService service, KubeSimOptions options, KubeSimFaults faults)
    {
        _app = app;
        _options = options;
        Faults = faults;
        BaseUrl = baseUrl;
        Kubeconfig = kubeconfigPath;
        KubeconfigYaml = kubeconfigYaml;
        _ownsKubeconfig = ownsKubeconfig;
        Service = service;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The path of a kubeconfig file pointing at this server (<c>kubectl --kubeconfig</c>).</summary>
    public string Kubeconfig { get; }

    /// <summary>The kubeconfig's content.</summary>
    public string KubeconfigYaml { get; }

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion => Service.Store.CurrentResourceVersion;

    internal ObjectService Service { get; }

    /// <summary>Black holes for chosen clients (see <see cref="KubeSimFaults"/>).</summary>
    public KubeSimFaults Faults { get; }

    public static async Task<KubeSim> StartAsync(KubeSimOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeSimOptions();
        var registry = new ResourceRegistry();
        var store = new ObjectStore(options.WatchHistoryLimit);
        var service = new ObjectService(store, registry, options.TimeProvider);
        Bootstrap.Seed(service);
        var faults = new KubeSimFaults();
        var app = await ServeAsync(options, options.Port, service, faults, cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address");
        var baseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var yaml = KubeconfigText(baseUrl);
        var owns = options.KubeconfigPath is null;
        var path = options.KubeconfigPath ?? Path.Combine(Path.GetTempPath(), $"kubesim-{baseUrl.Port}-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(path, yaml, cancellationToken).ConfigureAwait(false);
        return new KubeSim(app, baseUrl, path, yaml, owns, service, options, faults);
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
            _app ??= await ServeAsync(_options, BaseUrl.Port, Service, Faults, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serving.Release();
        }
    }

    /// <summary>True between a start and a stop of serving.</summary>
    public bool IsServing => _app is not null;

    private static async Task<WebApplication> ServeAsync(KubeSimOptions options, int port, ObjectService service, KubeSimFaults faults, CancellationToken cancellationToken)
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
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var handler = new ApiHandler(service, options.TimeProvider, options.BookmarkInterval, loggerFactory.CreateLogger("IronLb.KubeSim"),
            faults, app.Lifetime.ApplicationStopping);
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

    public async ValueTask DisposeAsync()
    {
        await StopServingAsync().ConfigureAwait(false);
        _serving.Dispose();
        if (_ownsKubeconfig)
        {
            File.Delete(Kubeconfig);
        }
    }

    private static string KubeconfigText(Uri baseUrl) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubesim
          cluster:
            server: {{baseUrl.GetLeftPart(UriPartial.Authority)}}
        contexts:
        - name: kubesim
          context:
            cluster: kubesim
            user: kubesim
            namespace: default
        current-context: kubesim
        users:
        - name: kubesim
          user:
            token: kubesim
        preferences: {}

        """;
}
