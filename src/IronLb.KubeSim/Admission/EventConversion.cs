using System.Text.Json.Nodes;

namespace IronLb.KubeSim.Admission;

/// <summary>core/v1 Event ⇄ events.k8s.io/v1 Event. Upstream keeps one storage for both and converts field by
/// field; so does KubeSim, storing the core shape that kubectl reads.</summary>
internal static class EventConversion
{
    private static readonly (string Core, string V1)[] Renames =
    [
        ("involvedObject", "regarding"),
        ("message", "note"),
        ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
    ];

    public static JsonObject ToV1(JsonObject core) => Rename(core, toV1: true);

    public static JsonObject ToCore(JsonObject v1) => Rename(v1, toV1: false);

    private static JsonObject Rename(JsonObject source, bool toV1)
    {
        var result = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = toV1 ? "events.k8s.io/v1" : "v1",
        };
        foreach (var (name, value) in source)
        {
            if (name is "kind" or "apiVersion")
            {
                continue;
            }
            var renamed = name;
            foreach (var (core, v1) in Renames)
            {
                if (toV1 && name == core)
                {
                    renamed = v1;
                }
                else if (!toV1 && name == v1)
                {
                    renamed = core;
                }
            }
            result[renamed] = value?.DeepClone();
        }
        return result;
    }
}
