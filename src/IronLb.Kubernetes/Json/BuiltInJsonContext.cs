using System.Text.Json.Serialization;
using k8s.Models;

namespace IronLb.Kubernetes.Json;

/// <summary>
/// Source-generated JSON for exactly the built-in kinds IronLB reads and writes, with the API server's conventions
/// (camelCase names from the models' attributes, nulls left out, <see cref="KubeTimestampConverter"/>).
/// KubernetesClient.Aot's own KubernetesJson would do, but its context covers every Kubernetes model: touching it
/// compiles all of them into the NativeAOT binary, about 16 MB of type data every speaker hydrates at start
/// (docs/performance.md, "Speaker memory"). This context compiles only these graphs.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(KubeTimestampConverter)])]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(V1EndpointSlice))]
[JsonSerializable(typeof(V1ServiceCIDR))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(V1Secret))]
public sealed partial class BuiltInJsonContext : JsonSerializerContext;
