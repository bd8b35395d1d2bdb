using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Storage;
using IronLb.KubeSim.Tables;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Http;

/// <summary>Requests on one object (<c>.../services/web</c>, <c>.../services/web/status</c>): get, replace, patch, delete.</summary>
internal sealed partial class ApiHandler
{
    private async Task ObjectAsync(HttpContext context, ResourceType type, string scope, string name, string? subresource, string accept, WriteOptions options, CancellationToken ct)
    {
        var request = context.Request;
        switch (request.Method)
        {
            case "GET":
                await WriteObjectAsync(context, 200, type, _service.Get(type, scope, name), accept, ct).ConfigureAwait(false);
                return;
            case "PUT":
            {
                var body = await RequestBody.ReadAsync(request, ct).ConfigureAwait(false) as JsonObject
                    ?? throw ApiException.BadRequest("the request body must be an object");
                var updated = _service.Update(type, scope, name, subresource, body, options);
                await WriteObjectAsync(context, 200, type, updated, accept, ct).ConfigureAwait(false);
                return;
            }
            case "PATCH":
            {
                var kind = RequestBody.PatchKindOf(request);
                var patch = await RequestBody.ReadAsync(request, ct).ConfigureAwait(false) ?? throw ApiException.BadRequest("empty patch");
                if (kind == PatchKind.Apply && subresource is null && _service.Store.Read(tx => tx.Get(type.StorageKey, scope, name)) is null)
                {
                    _gate.AdmitCreateOnApply(context);
                }
                var (patched, created) = _service.Patch(type, scope, name, subresource, kind, patch, options);
                await WriteObjectAsync(context, created ? 201 : 200, type, patched, accept, ct).ConfigureAwait(false);
                return;
            }
            case "DELETE":
            {
                var body = await RequestBody.ReadAsync(request, ct).ConfigureAwait(false) as JsonObject;
                if (body?["dryRun"] is JsonArray dry && dry.Any(d => JsonText.Cell(d) == "All"))
                {
                    options = options with { DryRun = true };
                }
                var deleted = _service.Delete(type, scope, name, body, options);
                await WriteObjectAsync(context, 200, type, deleted, accept, ct).ConfigureAwait(false);
                return;
            }
            default:
                throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    private async Task WriteObjectAsync(HttpContext context, int code, ResourceType type, StoredObject obj, string accept, CancellationToken ct)
    {
        if (accept.Contains("as=Table", StringComparison.Ordinal))
        {
            var include = context.Request.Query["includeObject"].ToString() == "Object" ? IncludeObject.Object : IncludeObject.Metadata;
            await WriteJsonAsync(context, code, TableBuilder.Build(type, [obj], obj.ResourceVersion, include, _time.GetUtcNow()), ct).ConfigureAwait(false);
            return;
        }
        if (accept.Contains("as=PartialObjectMetadata", StringComparison.Ordinal))
        {
            await WriteJsonAsync(context, code, PartialMetadata(ObjectService.Present(type, obj)), ct).ConfigureAwait(false);
            return;
        }
        await WriteBytesAsync(context, code, ObjectService.PresentBytes(type, obj), "application/json", ct).ConfigureAwait(false);
    }
}
