using System.Collections.Immutable;
using System.Net;
using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Cluster;

/// <summary>What `ironlb speaker --node NAME` (the Kubernetes mode) runs with.</summary>
public sealed record ClusterSpeakerOptions
{
    /// <summary>This node's name, as in its Node object.</summary>
    public required string Node { get; init; }

    /// <summary>MetalLB's namespace: pools, advertisements, ServiceL2Status and ConfigurationState live here.</summary>
    public string Namespace { get; init; } = Core.Configuration.ClusterResources.DefaultConfigNamespace;

    /// <summary>The speaker Pod (METALLB_POD_NAME): owner of this node's ServiceL2Status and ConfigurationState objects.</summary>
    public string? PodName { get; init; }

    /// <summary>spec.loadBalancerClass handled; empty handles Services without a class.</summary>
    public string LoadBalancerClass { get; init; } = "";

    /// <summary>--ignore-exclude-lb.</summary>
    public bool IgnoreExcludeLabel { get; init; }

    /// <summary>Address the other speakers send heartbeats to; null uses this Node's InternalIP.</summary>
    public IPAddress? MembershipAddress { get; init; }

    public int MembershipPort { get; init; } = MembershipOptions.DefaultPort;

    /// <summary>The shared key's bytes; null or empty refuses to start unless <see cref="InsecureMembership"/>.</summary>
    public byte[]? MembershipKey { get; init; }

    public bool InsecureMembership { get; init; }

    /// <summary>Which membership protocol runs; every speaker of a cluster must run the same one.</summary>
    public MembershipProtocolKind MembershipProtocol { get; init; } = MembershipProtocolKind.Ring;

    /// <summary>The ring's timing (defaults everywhere but in tests that run many speakers in one busy process).</summary>
    internal Membership.Ring.RingOptions Ring { get; init; } = new();

    /// <summary>Heartbeat period of the mesh; must be the same on every speaker (see docs/membership.md).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = new MembershipOptions().Interval;

    /// <summary>Heartbeats missed before a mesh peer stops counting as heard; the same on every speaker.</summary>
    public int MissedHeartbeats { get; init; } = new MembershipOptions().MissedHeartbeats;

    internal MembershipOptions Membership => new() { Interval = HeartbeatInterval, MissedHeartbeats = MissedHeartbeats };

    /// <summary>Re-evaluate every Service this often even without a change (a safety net, and new host interfaces).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long announcements must be unchanged before ServiceL2Status objects and nodeAssigned events are
    /// written. Announcing never waits; only the reporting does.
    /// </summary>
    public TimeSpan StatusSettle { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often this speaker's Lease <c>ironlb-speaker-&lt;node&gt;</c> is renewed (and re-created when deleted):
    /// one write per node per period, as kubelet's node leases.
    /// </summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>--egress: program egress for labelled Services (and read the ServiceCIDRs it keeps inside).</summary>
    public bool Egress { get; init; } = true;

    /// <summary>
    /// Metaleg's default FIREWALL_EXCLUDE_DST_CIDRS: private, unique-local and link-local ranges keep the pod's
    /// source, so a cluster that drops Metaleg for IronLB sends exactly what it sent before.
    /// </summary>
    public static ImmutableArray<IPNetwork> DefaultEgressExclude { get; } =
        [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10")];

    /// <summary>--egress-exclude: destinations that keep the pod's own source besides the cluster's own ranges.</summary>
    public ImmutableArray<IPNetwork> EgressExclude { get; init; } = DefaultEgressExclude;

    /// <summary>--service-cidr: the cluster's Service ranges where the API serves no ServiceCIDR objects.</summary>
    public ImmutableArray<string> ServiceCidrs { get; init; } = [];

    /// <summary>Probing before a new address is announced, back-off while another host holds one, defence of announced ones (issue 16).</summary>
    public Conflicts.ConflictSettings Conflicts { get; init; } = new();

    /// <summary>Watch streams end after this long and resume (short in tests).</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;
}
