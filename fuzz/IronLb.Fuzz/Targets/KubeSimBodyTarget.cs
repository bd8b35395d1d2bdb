using IronLb.Fuzz.Exercises;

namespace IronLb.Fuzz.Targets;

/// <summary>KubeSim's request bodies and the patches built from them (<see cref="KubeSimBodyExercise"/>).</summary>
internal sealed class KubeSimBodyTarget : FuzzTarget
{
    public override string Name => "kubesim-body";

    public override string Description => "KubeSim RequestBody.Decode and the JSON, merge and strategic merge patches";

    public override IReadOnlyList<string> Instrument => ["IronLb.KubeSim.dll", "YamlDotNet.dll"];

    public override void Run(ReadOnlySpan<byte> input) => KubeSimBodyExercise.Run(input);

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
