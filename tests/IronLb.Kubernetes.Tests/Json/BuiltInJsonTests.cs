using System.Text.Json;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Json;
using k8s;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Json;

/// <summary>
/// IronLB's own source-generated JSON for built-in kinds writes what KubernetesClient.Aot's KubernetesJson writes
/// (the form the API server reads), and timestamps in the API server's forms.
/// </summary>
public sealed class BuiltInJsonTests
{
    private static readonly DateTime Second = new(2026, 12, 7, 1, 2, 3, DateTimeKind.Utc);

    public static TheoryData<string, DateTime, string> Writes => new()
    {
        { "a whole second", Second, "\"2026-12-07T01:02:03Z\"" },
        { "microseconds (MicroTime)", Second.AddTicks(4_567_890), "\"2026-12-07T01:02:03.456789Z\"" },
        { "a tick below a microsecond is dropped", Second.AddTicks(4_567_891), "\"2026-12-07T01:02:03.456789Z\"" },
        { "an unspecified kind is taken as UTC", DateTime.SpecifyKind(Second, DateTimeKind.Unspecified), "\"2026-12-07T01:02:03Z\"" },
    };

    public static TheoryData<string, string, DateTime?> Reads => new()
    {
        { "Time", "\"2026-12-07T01:02:03Z\"", Second },
        { "MicroTime", "\"2026-12-07T01:02:03.456789Z\"", Second.AddTicks(4_567_890) },
        { "an offset is brought to UTC", "\"2026-12-07T03:02:03+02:00\"", Second },
        { "not a timestamp", "\"yesterday\"", null },
        { "a number", "12", null },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public void Timestamps_are_written_as_the_API_server_writes_them(string desc, DateTime value, string json)
    {
        Assert.NotEmpty(desc);
        Assert.Equal(json, JsonSerializer.Serialize(new V1Lease { Spec = new V1LeaseSpec { RenewTime = value } }, BuiltInJsonContext.Default.V1Lease)
            .Split("\"renewTime\":")[1].TrimEnd('}'));
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void Timestamps_are_read_in_UTC_or_refused_as_JSON_errors(string desc, string json, DateTime? expected)
    {
        Assert.NotEmpty(desc);
        var text = "{\"spec\":{\"renewTime\":" + json + "}}";
        if (expected is { } value)
        {
            var read = ResourceTypes.Leases.Parse(text).Spec.RenewTime;
            Assert.Equal(value, read);
            Assert.Equal(DateTimeKind.Utc, read?.Kind);
        }
        else
        {
            Assert.ThrowsAny<JsonException>(() => ResourceTypes.Leases.Parse(text));
        }
    }

    [Fact]
    public void Every_built_in_kind_is_written_as_KubernetesClient_writes_it()
    {
        var meta = new V1ObjectMeta { Name = "web", NamespaceProperty = "mail", CreationTimestamp = Second, Labels = new Dictionary<string, string> { ["app"] = "web" } };
        var service = new V1Service
        {
            Metadata = meta,
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 25, TargetPort = "smtp" }, new V1ServicePort { Port = 587, TargetPort = 1587 }] },
            Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.10" }] } },
        };
        var lease = new V1Lease { Metadata = meta, Spec = new V1LeaseSpec { HolderIdentity = "cwn1", LeaseDurationSeconds = 5, RenewTime = Second.AddTicks(120), AcquireTime = Second } };
        var node = new V1Node { Metadata = meta, Status = new V1NodeStatus { Capacity = new Dictionary<string, ResourceQuantity> { ["memory"] = new("16Gi") }, Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "192.0.2.1" }] } };
        var evt = new Corev1Event { Metadata = meta, Reason = "nodeAssigned", Type = "Normal", EventTime = Second.AddTicks(10), InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "web" } };

        Assert.Equal(KubernetesJson.Serialize(service), ResourceTypes.Services.Serialize(service));
        Assert.Equal(KubernetesJson.Serialize(lease), ResourceTypes.Leases.Serialize(lease));
        Assert.Equal(KubernetesJson.Serialize(node), ResourceTypes.Nodes.Serialize(node));
        Assert.Equal(KubernetesJson.Serialize(evt), ResourceTypes.Events.Serialize(evt));
    }
}
