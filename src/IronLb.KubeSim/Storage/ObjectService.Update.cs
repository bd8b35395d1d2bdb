using System.Text.Json.Nodes;
using IronLb.KubeSim.Admission;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Patching;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Storage;

/// <summary>Update and patch: the status/main split, optimistic concurrency, generation and no-op detection.</summary>
internal sealed partial class ObjectService
{
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
                return (CreateCore(tx, type, ns, Incoming(type, created), options with { Applying = true }), true);
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
            return (UpdateCore(tx, type, old, Incoming(type, patchedObject), subresource, options with { Applying = kind == PatchKind.Apply }, isPatch: true), false);
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
        if (!options.Applying)
        {
            ServerSideApply.RecordUpdate(updated, old.Object, options.Manager, subresource, type.HasStatus, ListSchema.For(type), Now);
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
}
