using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Patching;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// KubeSim's request bodies, as the kubesim-body fuzz target and RequestBodyFuzzReplayTests both run them (this file
/// is compiled into both): the first byte picks the media type (JSON, YAML, protobuf), the second what the body is
/// for (an object, a JSON patch, a merge patch, a strategic merge patch on a Service). Refusals are
/// <see cref="ApiException"/> or <see cref="JsonException"/>, which the handler turns into a 4xx Status; anything
/// else escaping would be a 500 "internal error" for a client's typo.
/// </summary>
internal static class KubeSimBodyExercise
{
    private static readonly string[] Media = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    public static void Run(ReadOnlySpan<byte> input)
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
}
