using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Storage;

/// <summary>One committed version of an object. Never mutated after construction: lists and watchers share it,
/// and its serialised bytes are computed once so a LIST or a watch fan-out only copies bytes.</summary>
internal sealed class StoredObject
{
    public StoredObject(JsonObject obj, long resourceVersion)
    {
        Object = obj;
        ResourceVersion = resourceVersion;
        Namespace = JsonText.Str(obj, "metadata", "namespace") ?? "";
        Name = JsonText.Str(obj, "metadata", "name") ?? "";
        var labels = obj["metadata"]?["labels"] as JsonObject;
        Labels = labels is null || labels.Count == 0
            ? FrozenDictionary<string, string>.Empty
            : labels.ToFrozenDictionary(p => p.Key, p => JsonText.Cell(p.Value), StringComparer.Ordinal);
        Json = JsonText.ToUtf8(obj);
    }

    public JsonObject Object { get; }

    public byte[] Json { get; }

    public long ResourceVersion { get; }

    public string Namespace { get; }

    public string Name { get; }

    public FrozenDictionary<string, string> Labels { get; }

    public string Key => KeyOf(Namespace, Name);

    public static string KeyOf(string ns, string name) => ns.Length == 0 ? name : $"{ns}/{name}";

    /// <summary>A private copy to change; the stored one stays untouched.</summary>
    public JsonObject CloneObject() => (JsonObject)Object.DeepClone();

    public static string FormatVersion(long rv) => rv.ToString(CultureInfo.InvariantCulture);
}
