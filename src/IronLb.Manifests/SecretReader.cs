using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;

namespace IronLb.Manifests;

/// <summary>
/// A Secret of MetalLB's namespace as the file-mode speaker needs it for a BGPPeer's passwordSecret: its type and its
/// data, decoded (stringData merged over data, as the API server stores it). Plan never reads it.
/// </summary>
public sealed record ManifestSecret(string Name, string? Type, ImmutableDictionary<string, ImmutableArray<byte>> Data);

/// <summary>
/// Reads a v1 Secret. Only Secrets of the configuration namespace are read (the speaker may read no others, as in a
/// cluster); the dispatcher counts the rest as ignored without looking inside them. Total: a data value that is not
/// base64 is an error naming the key, and the Secret is left out.
/// </summary>
internal static class SecretReader
{
    public static readonly FrozenSet<string> Fields = FrozenSet.Create(StringComparer.Ordinal,
        "apiVersion", "kind", "metadata", "type", "data", "stringData", "immutable");

    public static ManifestSecret Read(MappingNode root, ObjectMetadata metadata, ObjectContext context)
    {
        var data = ImmutableDictionary.CreateBuilder<string, ImmutableArray<byte>>(StringComparer.Ordinal);
        foreach (var (key, value) in context.StringMap(root, "data", ""))
        {
            var bytes = new byte[value.Length];
            if (Convert.TryFromBase64String(value, bytes, out var written))
            {
                data[key] = [.. bytes.AsSpan(0, written)];
            }
            else
            {
                context.Error(root["data"], $"data[{key}]: the value is not base64");
            }
        }

        foreach (var (key, value) in context.StringMap(root, "stringData", ""))
        {
            data[key] = [.. Encoding.UTF8.GetBytes(value)];
        }

        context.Bool(root, "immutable", "");
        return new ManifestSecret(metadata.Name, context.String(root, "type", ""), data.ToImmutable());
    }
}
