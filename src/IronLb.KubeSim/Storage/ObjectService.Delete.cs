using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Selectors;

namespace IronLb.KubeSim.Storage;

/// <summary>Delete: preconditions, finalizers and the cascades no controller would otherwise perform.</summary>
internal sealed partial class ObjectService
{
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
}
