using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Authorization;
using IronLb.KubeSim.Discovery;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IronLb.KubeSim.Http;

/// <summary>The single request delegate: routes kube-apiserver paths by hand (no reflection, AOT-clean), negotiates
/// JSON / Table / PartialObjectMetadata, and turns <see cref="ApiException"/> into Status bodies.</summary>
internal sealed partial class ApiHandler
{
    private readonly ObjectService _service;
    private readonly OpenApiDocuments _openApi;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bookmarkInterval;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly KubeSimFaults _faults;
    private readonly AccessGate _gate;
    private readonly ServiceAccountTokens _tokens;

    // stopping ends open watches when the server stops, so shutdown does not wait for clients.
    public ApiHandler(ObjectService service, TimeProvider time, TimeSpan bookmarkInterval, ILogger logger, KubeSimFaults faults,
        AccessGate gate, ServiceAccountTokens tokens, CancellationToken stopping)
    {
        _gate = gate;
        _tokens = tokens;
        _stopping = stopping;
        _faults = faults;
        _service = service;
        _openApi = new OpenApiDocuments(service.Registry);
        _time = time;
        _bookmarkInterval = bookmarkInterval;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        if (_faults.Drops(context, KubeSimFaults.IsWatch(context)))
        {
            await _faults.HoldAsync(context, _stopping).ConfigureAwait(false);
            return;
        }

        try
        {
            _gate.Admit(context);
            await RouteAsync(context, ct).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteStatusAsync(context, e, ct).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await WriteStatusAsync(context, ApiException.BadRequest(e.Message), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away (watches end this way); nothing to answer.
        }
        catch (Exception e)
        {
            LogUnhandled(_logger, e, context.Request.Method, context.Request.Path.Value ?? "");
            await WriteStatusAsync(context, new ApiException(500, "InternalError", $"Internal error occurred: {e.Message}"), ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteStatusAsync(HttpContext context, ApiException e, CancellationToken ct)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        await WriteJsonAsync(context, e.Code, e.ToStatus(), ct).ConfigureAwait(false);
    }

    private async Task RouteAsync(HttpContext context, CancellationToken ct)
    {
        var path = context.Request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var accept = context.Request.Headers.Accept.ToString();
        switch (segments)
        {
            case ["version"]:
                await WriteJsonAsync(context, 200, VersionInfo(), ct).ConfigureAwait(false);
                return;
            case ["healthz" or "readyz" or "livez", ..]:
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", ct).ConfigureAwait(false);
                return;
            case ["openapi", "v3"]:
                await WriteJsonAsync(context, 200, _openApi.Index(), ct).ConfigureAwait(false);
                return;
            case ["openapi", "v3", .. var rest]:
                var doc = _openApi.Document(string.Join('/', rest)) ?? throw NotFound();
                await WriteBytesAsync(context, 200, doc, "application/json", ct).ConfigureAwait(false);
                return;
            case ["api"]:
                await DiscoveryAsync(context, accept, core: true, ct).ConfigureAwait(false);
                return;
            case ["apis"]:
                await DiscoveryAsync(context, accept, core: false, ct).ConfigureAwait(false);
                return;
            case ["api", "v1"]:
                await WriteJsonAsync(context, 200, DiscoveryDocuments.ResourceList(_service.Registry, "", "v1"), ct).ConfigureAwait(false);
                return;
            case ["apis", var group]:
                await WriteJsonAsync(context, 200, DiscoveryDocuments.Group(_service.Registry, group) ?? throw NotFound(), ct).ConfigureAwait(false);
                return;
            case ["apis", var group, var version]:
                if (!_service.Registry.HasGroupVersion(group, version))
                {
                    throw NotFound();
                }
                await WriteJsonAsync(context, 200, DiscoveryDocuments.ResourceList(_service.Registry, group, version), ct).ConfigureAwait(false);
                return;
            case ["api", "v1", .. var rest]:
                await ResourceAsync(context, "", "v1", rest, accept, ct).ConfigureAwait(false);
                return;
            case ["apis", var group, var version, .. var rest]:
                await ResourceAsync(context, group, version, rest, accept, ct).ConfigureAwait(false);
                return;
            default:
                throw NotFound();
        }
    }

    private static ApiException NotFound() => new(404, "NotFound", "the server could not find the requested resource");

    private static JsonObject VersionInfo() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-kubesim",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    private async Task DiscoveryAsync(HttpContext context, string accept, bool core, CancellationToken ct)
    {
        context.Response.Headers.Vary = "Accept";
        if (DiscoveryDocuments.AggregatedVersion(accept) is { } version)
        {
            var body = DiscoveryDocuments.Aggregated(_service.Registry, core, version);
            var contentType = version == "v2" ? DiscoveryDocuments.AggregatedV2ContentType : DiscoveryDocuments.AggregatedV2Beta1ContentType;
            await WriteBytesAsync(context, 200, JsonText.ToUtf8(body), contentType, ct).ConfigureAwait(false);
            return;
        }
        var address = $"{context.Request.Host.Host}:{context.Request.Host.Port}";
        var legacy = core ? DiscoveryDocuments.ApiVersions(address) : DiscoveryDocuments.GroupList(_service.Registry);
        await WriteJsonAsync(context, 200, legacy, ct).ConfigureAwait(false);
    }

    private async Task ResourceAsync(HttpContext context, string group, string version, string[] rest, string accept, CancellationToken ct)
    {
        string? ns = null;
        if (rest is ["namespaces", _, _, ..] && !(group.Length == 0 && rest is [_, _, "status" or "finalize"]))
        {
            ns = rest[1];
            rest = rest[2..];
        }
        if (rest.Length is 0 or > 3)
        {
            throw NotFound();
        }
        var type = _service.Registry.Find(group, version, rest[0]) ?? throw NotFound();
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        if (subresource == "token" && group.Length == 0 && type.Plural == "serviceaccounts" && ns is not null)
        {
            await TokenRequestAsync(context, type, ns, name!, ct).ConfigureAwait(false);
            return;
        }
        if (subresource is not null && !(subresource == "status" && type.HasStatus))
        {
            throw NotFound();
        }
        if (ns is not null && !type.Namespaced)
        {
            throw NotFound();
        }
        if (type.Namespaced && name is not null && ns is null)
        {
            throw NotFound();
        }
        var request = context.Request;
        var query = request.Query;
        var options = new WriteOptions(
            DryRun: query["dryRun"].ToString() == "All",
            FieldManager: query["fieldManager"].ToString() is { Length: > 0 } manager ? manager : null,
            Force: query["force"].ToString() == "true")
        {
            DefaultManager = request.Headers.UserAgent.ToString().Split('/')[0] is { Length: > 0 } agent ? agent : null,
        };
        var method = request.Method;
        if (type.Behaviour == KindBehaviour.Review)
        {
            if (method != "POST" || name is not null)
            {
                throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
            }
            var review = await RequestBody.ReadAsync(request, ct).ConfigureAwait(false) as JsonObject
                ?? throw ApiException.BadRequest("the request body must be an object");
            var user = AccessGate.UserOf(context);
            var answer = type.Kind == "SelfSubjectRulesReview"
                ? AccessReviews.RulesReview(review, user, _gate.Authorizer)
                : AccessReviews.AccessReview(review, user, _gate.Authorizer);
            await WriteJsonAsync(context, 201, answer, ct).ConfigureAwait(false);
            return;
        }
        if (name is null)
        {
            await CollectionAsync(context, type, ns, accept, options, ct).ConfigureAwait(false);
            return;
        }
        await ObjectAsync(context, type, ns ?? "", name, subresource, accept, options, ct).ConfigureAwait(false);
    }

    private async Task TokenRequestAsync(HttpContext context, ResourceType serviceAccounts, string ns, string name, CancellationToken ct)
    {
        if (context.Request.Method != "POST")
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
        var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false) as JsonObject;
        var account = _service.Get(serviceAccounts, ns, name);
        await WriteJsonAsync(context, 201, TokenRequests.Issue(body, account, _tokens, _time.GetUtcNow()), ct).ConfigureAwait(false);
    }

    private static JsonObject PartialMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone(),
    };

    private static Task WriteJsonAsync(HttpContext context, int code, JsonNode body, CancellationToken ct) =>
        WriteBytesAsync(context, code, JsonText.ToUtf8(body), "application/json", ct);

    private static async Task WriteBytesAsync(HttpContext context, int code, byte[] body, string contentType, CancellationToken ct)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, ct).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
