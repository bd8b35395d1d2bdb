using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IronLb.Controller.Tests;

/// <summary>
/// A reverse proxy in front of KubeSim on 127.0.0.1 that can answer writes with 409 Conflict and can go
/// away entirely (connections dropped, port closed) and come back on the same port — the faults a
/// controller meets in a real cluster, on a real HTTP connection.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly Uri _target;
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private WebApplication? _app;
    private int _conflictsLeft;

    private FaultProxy(Uri target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; private set; }

    private int _conflictsServed;

    /// <summary>Counted atomically: the controller writes from several tasks at once.</summary>
    public int ConflictsServed => Volatile.Read(ref _conflictsServed);

    /// <summary>The next <paramref name="count"/> PUT/PATCH requests get 409 Conflict.</summary>
    public void FailWritesWithConflict(int count) => Interlocked.Exchange(ref _conflictsLeft, count);

    public static async Task<FaultProxy> StartAsync(Uri target)
    {
        var proxy = new FaultProxy(target, 0);
        await proxy.UpAsync();
        return proxy;
    }

    /// <summary>A kubeconfig for clients that should go through the proxy, with the token they authenticate with.</summary>
    public string WriteKubeconfig(string token)
    {
        var path = Path.Combine(Path.GetTempPath(), $"faultproxy-{Port}-{Guid.NewGuid():N}.kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: proxy
              cluster:
                server: http://127.0.0.1:{Port}
            users:
            - name: test
              user:
                token: {token}
            contexts:
            - name: proxy
              context:
                cluster: proxy
                user: test
            current-context: proxy
            """);
        return path;
    }

    public async Task UpAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Run(ForwardAsync);
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    /// <summary>Closes the port and drops every open connection, watches included.</summary>
    public async Task DownAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token);
            await app.DisposeAsync();
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if ((method == "PUT" || method == "PATCH") && Interlocked.Decrement(ref _conflictsLeft) >= 0)
        {
            Interlocked.Increment(ref _conflictsServed);
            context.Response.StatusCode = 409;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409,"message":"injected conflict"}""");
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_target, context.Request.Path + context.Request.QueryString));
        if (context.Request.ContentLength > 0 || context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            body.Position = 0;
            request.Content = new StreamContent(body);
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        foreach (var header in context.Request.Headers.Where(h => h.Key is "Accept" or "Authorization"))
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        }

        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType)
            {
                context.Response.ContentType = contentType.ToString();
            }

            await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client or the proxy went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DownAsync();
        _client.Dispose();
    }
}
