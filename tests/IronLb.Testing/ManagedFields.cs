using k8s.Models;

namespace IronLb.Testing;

/// <summary>
/// For tests that read an object through KubernetesClient.Aot and write it back: its metadata.managedFields carry
/// FieldsV1 typed <c>object</c> (read as a JsonElement), which the client's source-generated JSON cannot write,
/// so the write fails before it is sent. Leaving them out keeps the server's, as IronLB itself does.
/// </summary>
public static class ManagedFields
{
    public static T WithoutManagedFields<T>(this T item)
        where T : IMetadata<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Metadata is { } meta)
        {
            meta.ManagedFields = null;
        }

        return item;
    }
}
