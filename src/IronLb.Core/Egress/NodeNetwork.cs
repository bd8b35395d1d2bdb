using System.Collections.Immutable;

namespace IronLb.Core.Egress;

/// <summary>
/// A Node's addresses as egress needs them: where other nodes send traffic that must leave through it
/// (status.addresses InternalIP, in the Node's order) and its pod ranges (spec.podCIDRs), which stay inside.
/// </summary>
public sealed record NodeNetwork(string Name, ImmutableArray<string> InternalIps, ImmutableArray<string> PodCidrs);
