using System.Text.Json.Nodes;
using IronLb.KubeSim.Admission;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Storage;

/// <summary>The write pipeline of a generic registry store: admission (defaults, validation, allocation), the
/// status/main split, generation, optimistic concurrency, no-op detection, finalizers, then one commit under the
/// store lock. Everything here is transport-free; <see cref="Http.ApiHandler"/> maps HTTP onto it.</summary>
internal sealed partial class ObjectService
{
    private const string NamespacesKey = "/namespaces";
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";

    private readonly TimeProvider _time;

    public ObjectService(ObjectStore store, ResourceRegistry registry, TimeProvider time)
    {
        Store = store;
        Registry = registry;
        _time = time;
    }

    public ObjectStore Store { get; }

    public ResourceRegistry Registry { get; }

    public ServiceAllocator Allocator { get; } = new();

    public DateTimeOffset Now => _time.GetUtcNow();

    public StoredObject Get(ResourceType type, string ns, string name) =>
        Store.Read(tx => tx.Get(type.StorageKey, ns, name)) ?? throw ApiException.NotFound(type.Group, type.Plural, name);

    /// <summary>The object as this resource type serves it (apiVersion of the request, events.k8s.io shape).
    /// Returns the stored instance when no conversion is needed: callers must not mutate it.</summary>
    public static JsonObject Present(ResourceType type, StoredObject stored)
    {
        if (type.IsEventsV1)
        {
            return EventConversion.ToV1(stored.Object);
        }
        if (JsonText.Str(stored.Object, "apiVersion") == type.GroupVersion)
        {
            return stored.Object;
        }
        var copy = stored.CloneObject();
        copy["apiVersion"] = type.GroupVersion;
        return copy;
    }

    public static byte[] PresentBytes(ResourceType type, StoredObject stored)
    {
        var presented = Present(type, stored);
        return ReferenceEquals(presented, stored.Object) ? stored.Json : JsonText.ToUtf8(presented);
    }

    private StoredObject Commit(ObjectStore.Transaction tx, ResourceType type, WatchEventType kind, JsonObject obj, StoredObject? old, WriteOptions options)
    {
        var rv = tx.NextVersion;
        JsonText.Obj(obj, "metadata")["resourceVersion"] = StoredObject.FormatVersion(options.DryRun ? old?.ResourceVersion ?? 0 : rv);
        if (options.DryRun)
        {
            return new StoredObject(obj, old?.ResourceVersion ?? 0);
        }
        var stored = tx.Commit(type.StorageKey, kind, new StoredObject(obj, rv), old);
        switch (type.Behaviour)
        {
            case KindBehaviour.Service:
            {
                var (ips, ports) = ServiceStrategy.Reservations(kind == WatchEventType.Deleted ? null : obj);
                Allocator.Sync(Owner(stored.Namespace, stored.Name), ips, ports);
                break;
            }
            case KindBehaviour.CustomResourceDefinition when kind == WatchEventType.Deleted:
                Registry.RemoveCrd(stored.Name);
                break;
            case KindBehaviour.CustomResourceDefinition:
                Registry.SetCrd(obj);
                break;
        }
        return stored;
    }

    /// <summary>Checks apiVersion/kind of a request body and converts it to the stored shape.</summary>
    private static JsonObject Incoming(ResourceType type, JsonObject body)
    {
        var apiVersion = JsonText.Str(body, "apiVersion");
        var kind = JsonText.Str(body, "kind");
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != type.GroupVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.GroupVersion})");
        }
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }
        var obj = ReferenceEquals(body.Parent, null) ? body : (JsonObject)body.DeepClone();
        obj["apiVersion"] = type.GroupVersion;
        obj["kind"] = type.Kind;
        if (type.IsEventsV1)
        {
            obj = EventConversion.ToCore(obj);
        }
        // Keep apiVersion and kind first, as the real server's encoder writes them.
        var ordered = new JsonObject { ["apiVersion"] = obj["apiVersion"]?.DeepClone(), ["kind"] = obj["kind"]?.DeepClone() };
        foreach (var (name, value) in obj.ToList())
        {
            if (name is "apiVersion" or "kind")
            {
                continue;
            }
            obj.Remove(name);
            ordered[name] = value;
        }
        return ordered;
    }

    private static void ValidateName(ResourceType type, string name)
    {
        var message = type.Behaviour switch
        {
            KindBehaviour.Namespace => NameValidation.Label(name),
            KindBehaviour.Service => NameValidation.Dns1035(name),
            // RBAC names are path segments (apimachinery ValidatePathSegmentName): "system:controller" is fine.
            _ when type.Group == "rbac.authorization.k8s.io" => NameValidation.PathSegment(name),
            _ => NameValidation.Subdomain(name),
        };
        if (message is not null)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, [("metadata.name", $"Invalid value: \"{name}\": {message}")]);
        }
    }

    private static string Owner(string ns, string name) => $"{ns}/{name}";

    /// <summary>kube-apiserver labels every namespace with its own name (so selectors can pick namespaces by name).</summary>
    private static void LabelNamespace(JsonObject ns) =>
        JsonText.Obj(JsonText.Obj(ns, "metadata"), "labels")["kubernetes.io/metadata.name"] = JsonText.Str(ns, "metadata", "name");

    private static JsonObject CrdStatus(JsonObject crd, JsonObject? oldStatus, DateTimeOffset now)
    {
        var spec = crd["spec"] as JsonObject ?? [];
        var names = (spec["names"] as JsonObject ?? []).DeepClone().AsObject();
        names["singular"] ??= (JsonText.Str(names, "kind") ?? "").ToLowerInvariant();
        names["listKind"] ??= JsonText.Str(names, "kind") + "List";
        var stored = new HashSet<string>((oldStatus?["storedVersions"] as JsonArray ?? []).Select(JsonText.Cell), StringComparer.Ordinal);
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().Where(v => JsonText.Bool(v["storage"]) == true))
        {
            stored.Add(JsonText.Str(version, "name") ?? "");
        }
        var since = oldStatus?["conditions"]?[0]?["lastTransitionTime"]?.DeepClone() ?? Time.Format(now);
        return new JsonObject
        {
            ["acceptedNames"] = names,
            ["conditions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "NamesAccepted", ["status"] = "True", ["lastTransitionTime"] = since.DeepClone(),
                    ["reason"] = "NoConflicts", ["message"] = "no conflicts found",
                },
                new JsonObject
                {
                    ["type"] = "Established", ["status"] = "True", ["lastTransitionTime"] = since.DeepClone(),
                    ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted",
                }),
            ["storedVersions"] = JsonText.StringArray(stored.Order(StringComparer.Ordinal)),
        };
    }
}
