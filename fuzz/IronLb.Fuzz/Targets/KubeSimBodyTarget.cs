using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Patching;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// KubeSim's request bodies: the first byte picks the media type (JSON, YAML, protobuf), the second what the body
/// is for (an object, a JSON patch, a merge patch, a strategic merge patch on a Service). Refusals are
/// <see cref="ApiException"/> or <see cref="JsonException"/>, which the handler turns into a 4xx Status; anything
/// else escaping would be a 500 "internal error" for a client's typo.
/// </summary>
internal sealed class KubeSimBodyTarget : FuzzTarget
{
    private static readonly string[] Media = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    public override string Name => "kubesim-body";

    public override string Description => "KubeSim RequestBody.Decode and the JSON, merge and strategic merge patches";

    public override IReadOnlyList<string> Instrument => ["IronLb.KubeSim.dll", "YamlDotNet.dll"];

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        try
        {
            var body = RequestBody.Decode(Media[input[0] % Media.Length], input[2..]);
            switch (input[1] % 4)
            {
                case 1:
                    _ = JsonPatch.Apply(Service(), body);
                    break;
                case 2:
                    _ = MergePatch.Apply(Service(), body);
                    break;
                case 3 when body is JsonObject patch:
                    _ = StrategicMergePatch.Apply(Service(), patch, "Service");
                    break;
                default:
                    break;
            }
        }
        catch (Exception e) when (e is ApiException or JsonException)
        {
            // The documented refusals: a 4xx Status with the reason.
        }
    }

    private static JsonObject Service() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default", ["labels"] = new JsonObject { ["app"] = "web" } },
        ["spec"] = new JsonObject
        {
            ["type"] = "LoadBalancer",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP" }),
            ["selector"] = new JsonObject { ["app"] = "web" },
        },
    };

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds() =>
    [
        ("json-object", [0, 0, .. """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}}"""u8]),
        ("yaml-object", [1, 0, .. "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n"u8]),
        ("json-patch", [0, 1, .. """[{"op":"replace","path":"/spec/type","value":"ClusterIP"},{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"remove","path":"/spec/ports/0"}]"""u8]),
        ("merge-patch", [0, 2, .. """{"metadata":{"labels":{"app":null,"b":"c"}},"spec":{"type":"NodePort"}}"""u8]),
        ("strategic-patch", [0, 3, .. """{"spec":{"ports":[{"port":443,"name":"https"},{"$patch":"delete","port":80}],"$setElementOrder/ports":[{"port":443}]}}"""u8]),
        ("protobuf-namespace", [2, 0, 0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x4e, 0x61, 0x6d, 0x65, 0x73, 0x70, 0x61, 0x63, 0x65, 0x12, 0x07, 0x0a, 0x05, 0x0a, 0x03, 0x61, 0x62, 0x63]),
    ];
}
