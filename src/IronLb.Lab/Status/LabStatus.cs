using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace IronLb.Lab.Status;

internal sealed record InterfaceStatus(string Name, string? Mac, string Lan);

/// <summary>A node; <see cref="SpeakerPid"/> is null when its speaker is not running.</summary>
internal sealed record NodeStatus(string Name, string Netns, ImmutableArray<InterfaceStatus> Interfaces, int? SpeakerPid);

internal sealed record ClientStatus(string Lan, string Netns, string Interface);

/// <summary>A pod: where it runs, the interface in its namespace and its addresses (IPv4 first, without prefix length).</summary>
internal sealed record PodStatus(string Namespace, string Name, string Service, string Node, string Netns, string Interface, ImmutableArray<string> Addresses);

/// <summary>A router of `up --bgp`: software "frr", its AS and addresses (CIDR).</summary>
internal sealed record RouterStatus(string Name, string Netns, string Software, uint Asn, ImmutableArray<string> Addresses);

/// <summary>`ironlb-lab status --output json`: the shape tests and scripts read; keep it stable.</summary>
internal sealed record LabStatus(string Kubeconfig, string Apiserver, ImmutableArray<NodeStatus> Nodes, ImmutableArray<ClientStatus> Clients, ImmutableArray<int> ControllerPids, ImmutableArray<PodStatus> Pods)
{
    public ImmutableArray<RouterStatus> Routers { get; init; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LabStatus))]
internal sealed partial class LabStatusJson : JsonSerializerContext;
