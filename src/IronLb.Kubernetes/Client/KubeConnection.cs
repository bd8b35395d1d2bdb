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
/// The connection to an API server: KubernetesClient's configuration and authentication, with plain
/// requests over its HttpClient. Watches are our own line reader so a resourceVersion is always sent,
/// ERROR events (410 Gone) surface, and every object is parsed by source-generated or typed JSON.
/// </summary>
public sealed class KubeConnection : IDisposable
{
    private const string JsonContentType = "application/json";

    /// <param name="configuration">Where and how to connect.</param>
    /// <param name="handlers">Extra HTTP handlers (the benchmark counts requests with one).</param>
    public KubeConnection(KubernetesClientConfiguration configuration, params DelegatingHandler[] handlers)
    {
        Client = new k8s.Kubernetes(configuration, handlers);
    }

    public k8s.Kubernetes Client { get; }

    /// <summary>From a kubeconfig file, else in-cluster configuration, else the default kubeconfig.</summary>
    public static KubeConnection Create(string? kubeconfigPath, params DelegatingHandler[] handlers)
    {
        var configuration = kubeconfigPath is not null
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath)
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile();
        return new KubeConnection(configuration, handlers);
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

    public async Task<string> SendAsync(HttpMethod method, string path, string? body, string contentType, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(method, path, body, contentType, cancellationToken).ConfigureAwait(false);
        using var response = await Client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response.StatusCode, text);
        }

        return text;
    }

    /// <summary>
    /// Streams a watch from <paramref name="resourceVersion"/> with bookmarks. The server ends the stream
    /// after <paramref name="timeoutSeconds"/>; the caller resumes from the last version it saw.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string path, string resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var url = $"{path}{separator}watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        using var request = await RequestAsync(HttpMethod.Get, url, null, JsonContentType, cancellationToken).ConfigureAwait(false);
        using var response = await Client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var type = document.RootElement.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                var obj = document.RootElement.TryGetProperty("object", out var o) ? o.GetRawText() : "{}";
                yield return new WatchEvent(type, obj);
            }
        }
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, string? body, string contentType, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(Client.BaseUri, path.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonContentType));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        if (Client.Credentials is { } credentials)
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

    public void Dispose() => Client.Dispose();
}
