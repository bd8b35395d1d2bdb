using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Admission;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Patching;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Selectors;

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

    // ---- reads ----

    public (List<StoredObject> Items, long ResourceVersion) List(
        ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string? resourceVersion, string? match)
    {
        if (match == "Exact" && long.TryParse(resourceVersion, out var exact) && exact < Store.OldestWatchableVersion)
        {
            throw ApiException.Expired($"The resourceVersion for the provided list is too old.");
        }
        return Store.Read(tx =>
        {
            var items = new List<StoredObject>();
            IEnumerable<StoredObject> source = fields.PinnedName is { } pinned && ns is not null
                ? tx.Get(type.StorageKey, ns, pinned) is { } one ? [one] : []
                : tx.List(type.StorageKey, ns);
            foreach (var item in source)
            {
                if (labels.Matches(item.Labels) && (fields.IsEmpty || fields.Matches(Present(type, item))))
                {
                    items.Add(item);
                }
            }
            return (items, tx.ResourceVersion);
        });
    }

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

    // ---- create ----

    public StoredObject Create(ResourceType type, string ns, JsonObject body, WriteOptions options)
    {
        var obj = Incoming(type, body);
        return Store.Write(tx => CreateCore(tx, type, ns, obj, options));
    }

    private StoredObject CreateCore(ObjectStore.Transaction tx, ResourceType type, string ns, JsonObject obj, WriteOptions options)
    {
        var meta = JsonText.Obj(obj, "metadata");
        if (type.Namespaced)
        {
            var bodyNs = JsonText.Str(meta, "namespace");
            if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }
        var name = JsonText.Str(meta, "name");
        if (string.IsNullOrEmpty(name) && JsonText.Str(meta, "generateName") is { Length: > 0 } prefix)
        {
            name = prefix + RandomNumberGenerator.GetString(NameChars, 5);
            meta["name"] = name;
        }
        if (string.IsNullOrEmpty(name))
        {
            throw ApiException.Invalid(type.Kind, type.Group, "", [("metadata.name", "Required value: name or generateName is required")]);
        }
        ValidateName(type, name);
        if (type.Namespaced && tx.Get(NamespacesKey, "", ns) is null)
        {
            throw ApiException.NotFound("", "namespaces", ns);
        }
        if (tx.Get(type.StorageKey, ns, name) is not null)
        {
            throw ApiException.AlreadyExists(type.Group, type.Plural, name);
        }
        var now = Now;
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Time.Format(now);
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        if (type.HasGeneration)
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }
        PrepareForCreate(type, obj, now);
        var errors = new List<(string Field, string Message)>();
        if (type.IsCustom)
        {
            StructuralSchema.Apply(obj, type.Schema);
            errors.AddRange(StructuralSchema.Validate(obj, type.Schema));
        }
        if (type.Behaviour == KindBehaviour.Service)
        {
            ServiceStrategy.Admit(obj, null, Owner(ns, name), Allocator, errors);
        }
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, errors);
        }
        return Commit(tx, type, WatchEventType.Added, obj, null, options);
    }

    private static void PrepareForCreate(ResourceType type, JsonObject obj, DateTimeOffset now)
    {
        switch (type.Behaviour)
        {
            case KindBehaviour.Service:
                obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
                break;
            case KindBehaviour.Pod:
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
                break;
            case KindBehaviour.Namespace:
                JsonText.Obj(obj, "spec")["finalizers"] ??= new JsonArray("kubernetes");
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                LabelNamespace(obj);
                break;
            case KindBehaviour.Generic when type is { Group: "", Kind: "Secret" }:
                obj["type"] ??= "Opaque";
                break;
            case KindBehaviour.CustomResourceDefinition:
                obj["status"] = CrdStatus(obj, null, now);
                break;
            case KindBehaviour.CustomResource or KindBehaviour.Generic when type.HasStatus:
                obj.Remove("status");
                break;
        }
    }

    // ---- update, patch ----

    public StoredObject Update(ResourceType type, string ns, string name, string? subresource, JsonObject body, WriteOptions options)
    {
        var obj = Incoming(type, body);
        return Store.Write(tx =>
        {
            var old = tx.Get(type.StorageKey, ns, name) ?? throw ApiException.NotFound(type.Group, type.Plural, name);
            return UpdateCore(tx, type, old, obj, subresource, options, isPatch: false);
        });
    }

    public (StoredObject Object, bool Created) Patch(
        ResourceType type, string ns, string name, string? subresource, PatchKind kind, JsonNode patch, WriteOptions options)
    {
        if (kind == PatchKind.Strategic && type.IsCustom)
        {
            throw new ApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }
        if (kind == PatchKind.Apply && string.IsNullOrEmpty(options.FieldManager))
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }
        return Store.Write(tx =>
        {
            var old = tx.Get(type.StorageKey, ns, name);
            if (old is null)
            {
                if (kind != PatchKind.Apply || subresource is not null)
                {
                    throw ApiException.NotFound(type.Group, type.Plural, name);
                }
                var applied = AppliedConfiguration(type, patch, name, null);
                var created = ServerSideApply.Apply(
                    new JsonObject { ["apiVersion"] = applied["apiVersion"]?.DeepClone(), ["kind"] = applied["kind"]?.DeepClone() },
                    applied, options.FieldManager!, null, ListSchema.For(type), Now);
                return (CreateCore(tx, type, ns, Incoming(type, created), options), true);
            }
            var current = (JsonObject)Present(type, old).DeepClone();
            JsonNode patched = kind switch
            {
                PatchKind.Json => JsonPatch.Apply(current, patch),
                PatchKind.Merge => MergePatch.Apply(current, patch)!,
                PatchKind.Strategic => StrategicMergePatch.Apply(current, patch as JsonObject ?? throw ApiException.BadRequest("the strategic merge patch is not an object"), type.Kind),
                _ => ServerSideApply.Apply(current, AppliedConfiguration(type, patch, name, subresource), options.FieldManager!, subresource, ListSchema.For(type), Now),
            };
            if (patched is not JsonObject patchedObject)
            {
                throw new ApiException(422, "Invalid", "the patch did not produce an object");
            }
            return (UpdateCore(tx, type, old, Incoming(type, patchedObject), subresource, options, isPatch: true), false);
        });
    }

    /// <summary>The part of an apply body that the endpoint owns: the main resource never applies status, and
    /// <c>/status</c> applies nothing but status.</summary>
    private static JsonObject AppliedConfiguration(ResourceType type, JsonNode patch, string name, string? subresource)
    {
        if (patch is not JsonObject applied)
        {
            throw ApiException.BadRequest("the apply configuration is not an object");
        }
        applied = (JsonObject)applied.DeepClone();
        var bodyName = JsonText.Str(applied, "metadata", "name");
        if (bodyName != name)
        {
            throw ApiException.BadRequest(bodyName is null
                ? "metadata.name is required in an apply configuration"
                : $"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
        if (JsonText.Str(applied, "kind") is null || JsonText.Str(applied, "apiVersion") is null)
        {
            throw ApiException.BadRequest("apiVersion and kind are required in an apply configuration");
        }
        if (subresource == "status")
        {
            foreach (var field in applied.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata" or "status")).ToList())
            {
                applied.Remove(field);
            }
            var meta = (JsonObject)applied["metadata"]!;
            foreach (var field in meta.Select(p => p.Key).Where(k => k is not ("name" or "namespace")).ToList())
            {
                meta.Remove(field);
            }
        }
        else if (type.HasStatus)
        {
            applied.Remove("status");
        }
        return applied;
    }

    private StoredObject UpdateCore(
        ObjectStore.Transaction tx, ResourceType type, StoredObject old, JsonObject body, string? subresource, WriteOptions options, bool isPatch)
    {
        var name = old.Name;
        var bodyMeta = JsonText.Obj(body, "metadata");
        var bodyName = JsonText.Str(bodyMeta, "name");
        if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
        if (type.Namespaced && JsonText.Str(bodyMeta, "namespace") is { Length: > 0 } bodyNs && bodyNs != old.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        var requested = JsonText.Str(bodyMeta, "resourceVersion");
        if (!string.IsNullOrEmpty(requested) && requested != StoredObject.FormatVersion(old.ResourceVersion))
        {
            throw ApiException.StaleObject(type.Group, type.Plural, name);
        }
        if (string.IsNullOrEmpty(requested) && !isPatch && type.RequiresResourceVersionOnUpdate)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, [("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
        }

        JsonObject updated;
        if (subresource == "status")
        {
            if (type.IsCustom)
            {
                // apiextensions statusStrategy: everything but status (and managedFields) comes from the old object.
                updated = old.CloneObject();
                updated["apiVersion"] = body["apiVersion"]?.DeepClone();
                updated["status"] = body["status"]?.DeepClone();
                if (updated["status"] is null)
                {
                    updated.Remove("status");
                }
                if (bodyMeta["managedFields"] is { } managed)
                {
                    JsonText.Obj(updated, "metadata")["managedFields"] = managed.DeepClone();
                }
            }
            else
            {
                // Built-in status strategies reset only the spec; metadata changes (annotations) persist.
                updated = body;
                CopyField(old.Object, updated, "spec");
            }
        }
        else
        {
            updated = body;
            if (type.HasStatus)
            {
                CopyField(old.Object, updated, "status");
            }
        }
        var meta = JsonText.Obj(updated, "metadata");
        var oldMeta = (JsonObject)old.Object["metadata"]!;
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            if (oldMeta[field] is { } value)
            {
                meta[field] = value.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }
        if (meta["managedFields"] is null && oldMeta["managedFields"] is { } oldManaged)
        {
            meta["managedFields"] = oldManaged.DeepClone();
        }
        meta.Remove("resourceVersion");

        var errors = new List<(string Field, string Message)>();
        if (type.IsCustom)
        {
            StructuralSchema.Apply(updated, type.Schema);
            errors.AddRange(StructuralSchema.Validate(updated, type.Schema));
        }
        if (type.Behaviour == KindBehaviour.Service && subresource is null)
        {
            ServiceStrategy.Admit(updated, old.Object, Owner(old.Namespace, name), Allocator, errors);
        }
        if (type.Behaviour == KindBehaviour.Namespace && subresource is null)
        {
            CopyField(old.Object, updated, "spec");
        }
        if (type.Behaviour == KindBehaviour.Namespace)
        {
            LabelNamespace(updated);
        }
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type.Kind, type.Group, name, errors);
        }
        if (type.HasGeneration && SpecChanged(old.Object, updated))
        {
            meta["generation"] = (JsonText.Long(oldMeta["generation"]) ?? 0) + 1;
        }
        if (type.Behaviour == KindBehaviour.CustomResourceDefinition)
        {
            updated["status"] = CrdStatus(updated, old.Object["status"] as JsonObject, Now);
        }

        var comparable = old.CloneObject();
        ((JsonObject)comparable["metadata"]!).Remove("resourceVersion");
        if (JsonNode.DeepEquals(comparable, updated))
        {
            return old;
        }
        if (meta["deletionTimestamp"] is not null && (meta["finalizers"] as JsonArray ?? []).Count == 0)
        {
            return Commit(tx, type, WatchEventType.Deleted, updated, old, options);
        }
        return Commit(tx, type, WatchEventType.Modified, updated, old, options);
    }

    private static bool SpecChanged(JsonObject old, JsonObject updated)
    {
        foreach (var name in old.Select(p => p.Key).Union(updated.Select(p => p.Key)))
        {
            if (name is "metadata" or "status" or "apiVersion" or "kind")
            {
                continue;
            }
            if (!JsonNode.DeepEquals(old[name], updated[name]))
            {
                return true;
            }
        }
        return false;
    }

    private static void CopyField(JsonObject from, JsonObject to, string field)
    {
        if (from[field] is { } value)
        {
            to[field] = value.DeepClone();
        }
        else
        {
            to.Remove(field);
        }
    }

    // ---- delete ----

    public StoredObject Delete(ResourceType type, string ns, string name, JsonObject? deleteOptions, WriteOptions options) =>
        Store.Write(tx =>
        {
            var old = tx.Get(type.StorageKey, ns, name) ?? throw ApiException.NotFound(type.Group, type.Plural, name);
            CheckPreconditions(type, old, deleteOptions);
            return DeleteCore(tx, type, old, options);
        });

    public List<StoredObject> DeleteCollection(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, WriteOptions options) =>
        Store.Write(tx =>
        {
            var victims = tx.List(type.StorageKey, ns)
                .Where(o => labels.Matches(o.Labels) && (fields.IsEmpty || fields.Matches(Present(type, o)))).ToList();
            return victims.Select(v => DeleteCore(tx, type, v, options)).ToList();
        });

    private static void CheckPreconditions(ResourceType type, StoredObject old, JsonObject? deleteOptions)
    {
        if (deleteOptions?["preconditions"] is not JsonObject pre)
        {
            return;
        }
        var uid = JsonText.Str(pre, "uid");
        var actualUid = JsonText.Str(old.Object, "metadata", "uid");
        if (!string.IsNullOrEmpty(uid) && uid != actualUid)
        {
            throw ApiException.Conflict(type.Group, type.Plural, old.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {actualUid}");
        }
        var rv = JsonText.Str(pre, "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != StoredObject.FormatVersion(old.ResourceVersion))
        {
            throw ApiException.Conflict(type.Group, type.Plural, old.Name,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {old.ResourceVersion}");
        }
    }

    private StoredObject DeleteCore(ObjectStore.Transaction tx, ResourceType type, StoredObject old, WriteOptions options)
    {
        var finalizers = old.Object["metadata"]?["finalizers"] as JsonArray ?? [];
        if (finalizers.Count > 0)
        {
            if (old.Object["metadata"]?["deletionTimestamp"] is not null)
            {
                return old;
            }
            var marked = old.CloneObject();
            var meta = (JsonObject)marked["metadata"]!;
            meta["deletionTimestamp"] = Time.Format(Now);
            meta["deletionGracePeriodSeconds"] = 0;
            if (type.Behaviour == KindBehaviour.Namespace)
            {
                JsonText.Obj(marked, "status")["phase"] = "Terminating";
            }
            return Commit(tx, type, WatchEventType.Modified, marked, old, options);
        }
        if (!options.DryRun)
        {
            if (type.Behaviour == KindBehaviour.Namespace)
            {
                // No namespace controller runs here, so the namespace's contents go at once, as if it had.
                foreach (var resource in Registry.All.Where(t => t.Namespaced).DistinctBy(t => t.StorageKey).ToList())
                {
                    foreach (var child in tx.List(resource.StorageKey, old.Name).ToList())
                    {
                        Remove(tx, resource, child, options);
                    }
                }
            }
            else if (type.Behaviour == KindBehaviour.CustomResourceDefinition)
            {
                var group = JsonText.Str(old.Object, "spec", "group") ?? "";
                var plural = JsonText.Str(old.Object, "spec", "names", "plural") ?? "";
                var served = Registry.All.FirstOrDefault(t => t.Group == group && t.Plural == plural);
                if (served is not null)
                {
                    foreach (var child in tx.List(served.StorageKey, null).ToList())
                    {
                        Remove(tx, served, child, options);
                    }
                }
            }
        }
        return Remove(tx, type, old, options);
    }

    private StoredObject Remove(ObjectStore.Transaction tx, ResourceType type, StoredObject old, WriteOptions options) =>
        Commit(tx, type, WatchEventType.Deleted, old.CloneObject(), old, options);

    // ---- commit ----

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

    // ---- helpers ----

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
