using IronLb.Fuzz.Exercises;

namespace IronLb.Fuzz.Targets;

/// <summary>A watch stream's body, line by line, as the informer reads it (<see cref="WatchLineExercise"/>).</summary>
internal sealed class WatchLineTarget : FuzzTarget
{
    public override string Name => "watch-line";

    public override string Description => "WatchLine.Parse and the informer's object parsing on a watch stream";

    public override IReadOnlyList<string> Instrument => ["IronLb.Kubernetes.dll"];

    // KubernetesClient's serializer options take seconds to build on a loaded machine; that is not a hang.
    public override void WarmUp() => _ = k8s.KubernetesJson.Deserialize<k8s.Models.V1Service>("""{"metadata":{"name":"warm"},"spec":{"ports":[{"port":1,"targetPort":"x"}]}}""");

    public override void Run(ReadOnlySpan<byte> input) => WatchLineExercise.Run(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds() =>
    [
        ("added-service", """
            {"type":"ADDED","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","resourceVersion":"12"},"spec":{"type":"LoadBalancer","ports":[{"port":80,"targetPort":"http","protocol":"TCP"}]}}}
            {"type":"BOOKMARK","object":{"kind":"Service","metadata":{"resourceVersion":"15"}}}

            """u8.ToArray()),
        ("pool", """
            {"type":"MODIFIED","object":{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"office","namespace":"metallb-system","resourceVersion":"7","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"addresses":["192.0.2.0/28"],"autoAssign":true}}}
            {"type":"DELETED","object":{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"office","namespace":"metallb-system","resourceVersion":"8"}}}

            """u8.ToArray()),
        ("error", """
            {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}

            """u8.ToArray()),
    ];
}
