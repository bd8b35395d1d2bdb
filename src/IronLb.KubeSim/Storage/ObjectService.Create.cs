using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Admission;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Patching;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Storage;

/// <summary>Create: names, namespace checks, server-set metadata and per-kind create strategies.</summary>
internal sealed partial class ObjectService
{
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
        if (!options.Applying)
        {
            ServerSideApply.RecordUpdate(obj, null, options.Manager, null, type.HasStatus, ListSchema.For(type), now);
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
}
