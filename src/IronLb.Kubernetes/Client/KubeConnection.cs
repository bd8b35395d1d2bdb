using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;

namespace IronLb.Kubernetes.Client;

/// <summary>One event of a watch stream: its type and the object's JSON text.</summary>
public readonly record struct WatchEvent(string Type, string ObjectJson);

/// <summary>
/// The connection to an API server: KubernetesClient's configuration and credentials, with plain requests over
/// our own HttpClient (<see cref="ApiServerHttp"/>). Watches are our own line reader so a resourceVersion is always sent,
/// ERROR events (410 Gone) surface, and every object is parsed by source-generated or typed JSON.
/// Every request has a per-attempt timeout and every watch an idle timeout (<see cref="KubeConnectionOptions"/>):
/// both cancel the request, which closes its socket, so a black-holed API server costs a bounded wait.
/// </summary>
public sealed class KubeConnection : IDisposable
{
    private const string JsonContentType = "application/json";

    private readonly IWriteFence? _fence;
    private readonly bool _ownsClient;

    /// <param name="configuration">Where and how to connect.</param>
    /// <param name="handlers">Extra HTTP handlers (the benchmark counts requests with one).</param>
    public KubeConnection(KubernetesClientConfiguration configuration, params DelegatingHandler[] handlers)
        : this(configuration, new KubeConnectionOptions(), handlers)
    {
    }

    /// <param name="configuration">Where and how to connect.</param>
    /// <param name="options">Timeouts and the User-Agent.</param>
    /// <param name="handlers">Extra HTTP handlers.</param>
    public KubeConnection(KubernetesClientConfiguration configuration, KubeConnectionOptions options, params DelegatingHandler[] handlers)
    {
        ArgumentNullException.ThrowIfNull(options);
        Api = ApiServerHttp.Create(configuration, handlers);
        Options = options;
        _ownsClient = true;
    }

    private KubeConnection(KubeConnection shared, IWriteFence fence)
    {
        Api = shared.Api;
        Options = shared.Options;
        _fence = fence;
    }

    private ApiServerHttp Api { get; }

    public KubeConnectionOptions Options { get; }

    /// <summary>
    /// The same connection with every write (anything but GET) checked against <paramref name="fence"/> just
    /// before it is sent, and cancelled when the fence closes: a deposed leader's writes never leave. The
    /// view shares this connection's HTTP client; disposing it disposes nothing.
    /// </summary>
    public KubeConnection Fenced(IWriteFence fence)
    {
        ArgumentNullException.ThrowIfNull(fence);
        return new KubeConnection(this, fence);
    }

    /// <summary>From a kubeconfig file, else in-cluster configuration, else the default kubeconfig.</summary>
    public static KubeConnection Create(string? kubeconfigPath, params DelegatingHandler[] handlers) =>
        Create(kubeconfigPath, new KubeConnectionOptions(), handlers);

    /// <summary>From a kubeconfig file, else in-cluster configuration, else the default kubeconfig; with <paramref name="options"/>.</summary>
    public static KubeConnection Create(string? kubeconfigPath, KubeConnectionOptions options, params DelegatingHandler[] handlers)
    {
        var configuration = kubeconfigPath is not null
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath)
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile();
        return new KubeConnection(configuration, options, handlers);
    }

    /// <summary>
    /// MetalLB's namespace as every command resolves it: the --namespace flag, else $METALLB_NAMESPACE (as
    /// MetalLB's manifests set it), else the pod's own namespace, else metallb-system.
    /// </summary>
    public static string ConfigNamespace(string? flag) =>
        flag ?? Environment.GetEnvironmentVariable("METALLB_NAMESPACE") ?? ServiceAccountNamespace() ?? Core.Configuration.ClusterResources.DefaultConfigNamespace;

    /// <summary>The namespace of the pod's service account, when running in a cluster.</summary>
    public static string? ServiceAccountNamespace()
    {
        const string Path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        return File.Exists(Path) ? File.ReadAllText(Path).Trim() : null;
    }

    public Task<string> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, JsonContentType, cancellationToken);

    public Task<string> PutAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, json, JsonContentType, cancellationToken);

    public Task<string> PostAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, json, JsonContentType, cancellationToken);

    public Task<string> PatchAsync(string path, string json, string contentType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, path, json, contentType, cancellationToken);

    public Task<string> SendAsync(HttpMethod method, string path, string? body, string contentType, CancellationToken cancellationToken) =>
        SendAsync(method, path, body, contentType, static (content, token) => content.ReadAsStringAsync(token), cancellationToken);

    /// <summary>
    /// A GET whose answer stays UTF-8: a list of 10,000 Services is about 12 MB as bytes, and read as a string
    /// it was twice that plus the UTF-8 copy JsonDocument made of it, a peak that set the controller's heap size.
    /// </summary>
    public Task<byte[]> GetUtf8Async(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, JsonContentType, static (content, token) => content.ReadAsByteArrayAsync(token), cancellationToken);

    private async Task<TBody> SendAsync<TBody>(
        HttpMethod method, string path, string? body, string contentType, Func<HttpContent, CancellationToken, Task<TBody>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);

        // The fence is checked here, the last moment before the request leaves, and its term cancels the request in flight.
        var fenced = method != HttpMethod.Get && _fence is not null;
        var term = fenced ? _fence!.Enter() : CancellationToken.None;
        var timeout = fenced && _fence!.WriteTimeout < Options.RequestTimeout ? _fence.WriteTimeout : Options.RequestTimeout;
        using var attempt = new RequestDeadline(Options.Time, timeout, cancellationToken, term);
        try
        {
            using var request = await RequestAsync(method, path, body, contentType, attempt.Token).ConfigureAwait(false);
            using var response = await Api.Http.SendAsync(request, attempt.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response.StatusCode, await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false));
            }

            return await read(response.Content, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !term.IsCancellationRequested && attempt.Expired)
        {
            throw TimedOut(method, path, timeout);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && term.IsCancellationRequested)
        {
            throw new LeadershipLostException($"{method} {path} cancelled: leadership ended", term);
        }
    }

    /// <summary>
    /// Streams a watch from <paramref name="resourceVersion"/> with bookmarks. The server ends the stream
    /// after <paramref name="timeoutSeconds"/>; the caller resumes from the last version it saw. The response
    /// headers must come within the request timeout, and every later line within the options' watch idle
    /// timeout, else <see cref="WatchIdleException"/> (the connection is closed).
    /// </summary>
    public IAsyncEnumerable<WatchEvent> WatchAsync(string path, string resourceVersion, int timeoutSeconds, CancellationToken cancellationToken) =>
        WatchAsync(path, resourceVersion, timeoutSeconds, Options.WatchIdleTimeout, cancellationToken);

    /// <summary>The same with an explicit idle timeout (no line, event or bookmark, for that long ends the watch).</summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string path, string resourceVersion, int timeoutSeconds, TimeSpan idleTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var url = $"{path}{separator}watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        using var deadline = new RequestDeadline(Options.Time, Options.RequestTimeout, cancellationToken, CancellationToken.None);
        using var request = await RequestAsync(HttpMethod.Get, url, null, JsonContentType, deadline.Token).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await Api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.Expired)
        {
            throw TimedOut(HttpMethod.Get, path + " (watch)", Options.RequestTimeout);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false));
            }

            var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (true)
                {
                    // Every line, bookmarks included, proves the stream alive; silence for the idle timeout does not.
                    deadline.Restart(idleTimeout);
                    string? line;
                    try
                    {
                        line = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested && deadline.Expired)
                    {
                        throw new WatchIdleException($"watch of {path}: nothing for {idleTimeout.TotalSeconds:0.#} s", e);
                    }

                    if (line is null)
                    {
                        yield break;
                    }

                    if (line.Length == 0)
                    {
                        continue;
                    }

                    // A line that is not an event (a proxy's garbage, a cut) ends the watch with an error naming it;
                    // the informer then backs off and relists, so no event is silently lost.
                    yield return WatchLine.Parse(line, out var error)
                        ?? throw new KubeApiException($"watch of {path}: undecodable line ({error})");
                }
            }
        }
    }

    /// <summary>A request timeout has the shape HttpClient gives its own: a cancellation whose cause is a TimeoutException.</summary>
    private static TaskCanceledException TimedOut(HttpMethod method, string path, TimeSpan timeout) =>
        new($"{method} {path}: no answer within {timeout.TotalSeconds:0.#} s", new TimeoutException($"the request timeout of {timeout.TotalSeconds:0.#} s elapsed"));

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, string? body, string contentType, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(Api.BaseUri, path.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonContentType));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        if (Options.UserAgent is { Length: > 0 } agent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
        }

        if (Api.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return request;
    }

    private static KubeApiException Failure(HttpStatusCode status, string body)
    {
        string reason = status.ToString(), message = body;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("reason", out var r))
            {
                reason = r.GetString() ?? reason;
            }

            if (document.RootElement.TryGetProperty("message", out var m))
            {
                message = m.GetString() ?? message;
            }
        }
        catch (JsonException)
        {
            // Not a Status body (a proxy's error page): keep the raw text.
        }

        return new KubeApiException(status, reason, message);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            Api.Dispose();
        }
    }
}
