using System.Collections.Immutable;

namespace IronLb.Lab.State;

/// <summary>A link the lab made: in <see cref="Namespace"/>, or on the host when that is null.</summary>
internal sealed record CreatedLink(string? Namespace, string Name);

/// <summary>
/// A detached process. The start time (field 22 of /proc/PID/stat, in clock ticks since boot) tells our
/// process from a later one that got the same pid, so nothing but the lab's own processes is ever signalled.
/// </summary>
internal sealed record ProcessRecord(string Role, string? Node, int Pid, ulong StartTime, string Log, ImmutableArray<string> Command);

/// <summary>
/// An "other host" on a client LAN (`ironlb-lab host add`): namespace <see cref="Namespace"/>, interface
/// <see cref="Interface"/> with <see cref="Mac"/> and <see cref="Addresses"/> (CIDR), plugged into the LAN's bridge
/// by <see cref="BridgePort"/>. Its namespace is also in <see cref="LabState.Namespaces"/>, so `down` removes it.
/// </summary>
internal sealed record HostRecord(string Name, string Lan, string Namespace, string Interface, string BridgePort, string Mac, ImmutableArray<string> Addresses);

/// <summary>
/// A router the lab runs (`up --bgp`): its name (also FRR's pathspace), namespace, software, AS number and
/// addresses (CIDR). Its daemons are in <see cref="LabState.Processes"/>, its namespace in <see cref="LabState.Namespaces"/>.
/// </summary>
internal sealed record RouterRecord(string Name, string Netns, string Software, uint Asn, ImmutableArray<string> Addresses);

internal static class Roles
{
    public const string ApiServer = "apiserver";
    public const string Controller = "controller";
    public const string Speaker = "speaker";
}

/// <summary>
/// Everything a lab made, written before each step of <c>up</c> (so <c>down</c> finds what a crash left) and
/// read by every other command. The plan's inputs are kept, so the plan itself is recomputed, never stored twice.
/// </summary>
internal sealed record LabState
{
    public required string Name { get; init; }

    public required string StateDirectory { get; init; }

    public required string ManagementSubnet { get; init; }

    public required ImmutableArray<string> NodeNames { get; init; }

    /// <summary>How `ironlb` is started: an apphost, or dotnet and ironlb.dll.</summary>
    public required ImmutableArray<string> IronLb { get; init; }

    public required string Kubeconfig { get; init; }

    public required string ApiServer { get; init; }

    public required string MembershipKeyFile { get; init; }

    public ImmutableArray<string> Namespaces { get; init; } = [];

    /// <summary>Bridges, in the lan namespace.</summary>
    public ImmutableArray<CreatedLink> Bridges { get; init; } = [];

    /// <summary>veth pairs, by the end that was created first (deleting one end deletes both).</summary>
    public ImmutableArray<CreatedLink> Links { get; init; } = [];

    public ImmutableArray<ProcessRecord> Processes { get; init; } = [];

    /// <summary>The `up` that builds the lab: while it runs, the lab is in the making (before any of its processes
    /// exist), never a leftover for another `up` to reclaim.</summary>
    public ProcessRecord? Builder { get; init; }

    /// <summary>The pods and their nodes, placed by `up` from the example (their addresses follow from the plan).</summary>
    public ImmutableArray<Cluster.PodRecord> Pods { get; init; } = [];

    /// <summary>Other hosts on the LANs, added after `up` (`host add`).</summary>
    public ImmutableArray<HostRecord> Hosts { get; init; } = [];

    /// <summary>`up --bgp`: the lab has the router and the client behind it (the plan's <c>RemoteClient</c>); set when
    /// `up` begins, before either is made, so every later command's plan knows of them.</summary>
    public bool Bgp { get; init; }

    /// <summary>Routers the lab runs (`up --bgp`).</summary>
    public ImmutableArray<RouterRecord> Routers { get; init; } = [];

    public LabState WithRouter(RouterRecord router) => this with { Routers = [.. Routers.Where(r => r.Name != router.Name), router] };

    /// <summary>Records a host and its namespace (before either is made, so `down` finds what a crash leaves).</summary>
    public LabState WithHost(HostRecord host) => WithNamespace(host.Namespace) with { Hosts = [.. Hosts.Where(h => h.Name != host.Name), host] };

    /// <summary>Forgets a host once its namespace is gone.</summary>
    public LabState WithoutHost(string name) => this with
    {
        Hosts = [.. Hosts.Where(h => h.Name != name)],
        Namespaces = [.. Namespaces.Where(ns => Hosts.All(h => h.Name != name || h.Namespace != ns))],
    };

    public LabState WithNamespace(string name) => this with { Namespaces = Namespaces.Contains(name) ? Namespaces : Namespaces.Add(name) };

    public LabState WithBridge(CreatedLink bridge) => this with { Bridges = Bridges.Add(bridge) };

    public LabState WithLink(CreatedLink link) => this with { Links = Links.Add(link) };

    /// <summary>Replaces the record of the same role and node (a restart), or adds it.</summary>
    public LabState WithProcess(ProcessRecord process) => this with
    {
        Processes = [.. Processes.Where(p => p.Role != process.Role || p.Node != process.Node), process],
    };

    public ProcessRecord? Process(string role, string? node = null) => Processes.FirstOrDefault(p => p.Role == role && p.Node == node);
}
