using System.Text;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// A watch stream's body, line by line, as the informer reads it: the event line, then the typed object
/// (a Service and an IPAddressPool, one built-in model and one of ours), a BOOKMARK's version and an ERROR's Status.
/// The typed parse may refuse with <see cref="JsonException"/> (the informer relists); nothing else may escape.
/// </summary>
internal sealed class WatchLineTarget : FuzzTarget
{
    public override string Name => "watch-line";

    public override string Description => "WatchLine.Parse and the informer's object parsing on a watch stream";

    public override IReadOnlyList<string> Instrument => ["IronLb.Kubernetes.dll"];

    // KubernetesClient's serializer options take seconds to build on a loaded machine; that is not a hang.
    public override void WarmUp() => _ = k8s.KubernetesJson.Deserialize<k8s.Models.V1Service>("""{"metadata":{"name":"warm"},"spec":{"ports":[{"port":1,"targetPort":"x"}]}}""");

    public override void Run(ReadOnlySpan<byte> input)
    {
        // StreamReader decodes with replacement characters, so any bytes become some text.
        using var reader = new StringReader(Encoding.UTF8.GetString(input));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || WatchLine.Parse(line, out _) is not { } e)
            {
                continue;
            }

            _ = WatchLine.ResourceVersion(e.ObjectJson);
            _ = WatchLine.Status(e.ObjectJson);
            Typed(ResourceTypes.Services, e.ObjectJson);
            Typed(ResourceTypes.IpAddressPools("metallb-system"), e.ObjectJson);
        }
    }

    private static void Typed<T>(ResourceType<T> type, string json)
        where T : class
    {
        try
        {
            _ = type.Metadata(type.Parse(json)).Key;
        }
        catch (JsonException)
        {
            // The documented refusal.
        }
    }

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
