using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Discovery;

/// <summary>The minimal OpenAPI v3 that <c>kubectl apply</c> needs: per group-version, one path per resource item
/// whose PATCH operation names its group-version-kind and accepts <c>fieldValidation</c> (kubectl's
/// <c>supportsQueryParamV3</c> check). Hashes are content hashes, so kubectl's disk cache never goes stale.</summary>
internal sealed class OpenApiDocuments
{
    private readonly ResourceRegistry _registry;
    private (int Generation, Dictionary<string, (byte[] Body, string Hash)> Docs)? _cache;
    private readonly Lock _gate = new();

    public OpenApiDocuments(ResourceRegistry registry) => _registry = registry;

    public JsonObject Index()
    {
        var paths = new JsonObject();
        foreach (var (key, (_, hash)) in Documents().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
        }
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for <c>api/v1</c> or <c>apis/{group}/{version}</c>, or null.</summary>
    public byte[]? Document(string key) => Documents().TryGetValue(key, out var doc) ? doc.Body : null;

    private Dictionary<string, (byte[] Body, string Hash)> Documents()
    {
        lock (_gate)
        {
            var generation = _registry.Generation;
            if (_cache is { } cached && cached.Generation == generation)
            {
                return cached.Docs;
            }
            var docs = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
            foreach (var group in _registry.All.GroupBy(t => (t.Group, t.Version)))
            {
                var (g, v) = group.Key;
                var key = g.Length == 0 ? $"api/{v}" : $"apis/{g}/{v}";
                var body = JsonText.ToUtf8(Build(group));
                docs[key] = (body, Convert.ToHexString(SHA512.HashData(body)));
            }
            _cache = (generation, docs);
            return docs;
        }
    }

    /// <summary>The reverse-domain name kube-apiserver gives a CRD kind's schema (<c>io.metallb.v1beta1.IPAddressPool</c>).</summary>
    private static string SchemaName(ResourceType type) =>
        $"{string.Join('.', type.Group.Split('.').Reverse())}.{type.Version}.{type.Kind}";

    private static JsonObject Build(IEnumerable<ResourceType> types)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types)
        {
            var prefix = type.Group.Length == 0 ? $"/api/{type.Version}" : $"/apis/{type.Group}/{type.Version}";
            var scope = type.Namespaced ? "/namespaces/{namespace}" : "";
            var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
            JsonObject Operation() => new()
            {
                ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                ["parameters"] = new JsonArray(
                    new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            };
            paths[$"{prefix}{scope}/{type.Plural}/{{name}}"] = new JsonObject
            {
                ["get"] = Operation(),
                ["put"] = Operation(),
                ["patch"] = Operation(),
                ["delete"] = Operation(),
            };
            paths[$"{prefix}{scope}/{type.Plural}"] = new JsonObject { ["post"] = Operation() };
            if (type.Schema is { } schema)
            {
                // kubectl explain finds a kind's schema by this extension (CRDs only; built-ins carry no schema here).
                var definition = (JsonObject)schema.DeepClone();
                definition["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
                schemas[SchemaName(type)] = definition;
            }
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }
}
