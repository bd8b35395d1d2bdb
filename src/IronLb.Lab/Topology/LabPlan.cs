using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Lab.Topology;

/// <summary>One LAN: a bridge in the lan namespace.</summary>
internal sealed record LanPlan(string Name, string Bridge);

/// <summary>An interface inside a node or client namespace, the veth end on the bridge, and its addresses (CIDR).</summary>
internal sealed record InterfacePlan(string Name, string Lan, string BridgePort, ImmutableArray<string> Addresses);

/// <summary>A node: its namespace, its interfaces on the LANs, and the pod ranges its bridge <see cref="PodBridge"/> serves.</summary>
internal sealed record NodePlan(int Index, string Name, string Namespace, IPAddress ManagementAddress, ImmutableArray<InterfacePlan> Interfaces, IPAddress ManagementAddressV6, PodRange PodRange)
{
    /// <summary>The pods' bridge: "cbr" is on MetalLB's (and the speaker's) list of interfaces never to announce on.</summary>
    public const string PodBridge = "cbr0";
}

/// <summary>
/// A pod: a namespace with <see cref="Interface"/> (eth0) holding one address per family, a veth to its node's pod
/// bridge (the node's end is <see cref="NodeInterface"/>, "veth…", also never announced on), default routes via the
/// bridge's addresses.
/// </summary>
internal sealed record PodPlan(Cluster.PodRecord Pod, string Netns, string NodeNamespace, string Interface, string NodeInterface, IPAddress V4, IPAddress V6, PodRange Range)
{
    /// <summary>The address as `ip addr` takes it, with its node's prefix length.</summary>
    public ImmutableArray<string> Addresses => [PodNetwork.Cidr(V4, Range.V4), PodNetwork.Cidr(V6, Range.V6)];
}

internal sealed record ClientPlan(string Lan, string Namespace, InterfacePlan Interface);

/// <summary>
/// What <c>up</c> builds, computed without touching the machine. The addresses follow examples/lab: nodes
/// are .1N on every LAN (IPv4 and IPv6, N = 1–9), clients are .1, and the example's pools (192.0.2.175 and
/// up, 198.51.100.128/25, named IPv6 addresses such as ::25 or ::443) stay clear of both. The management LAN
/// is a slice of 203.0.113.0/24 per lab, so two labs on one machine never share a host route.
/// </summary>
internal sealed record LabPlan(
    LabNames Names,
    IPNetwork ManagementSubnet,
    IPAddress HostManagementAddress,
    ImmutableArray<LanPlan> Lans,
    ImmutableArray<NodePlan> Nodes,
    ImmutableArray<ClientPlan> Clients,
    ImmutableArray<PodPlan> Pods)
{
    public const int MaxNodes = 9;

    /// <summary>`up --bgp`'s client behind the router; null in a lab without the router.</summary>
    public RemoteClientPlan? RemoteClient { get; init; }

    public const string External = "external";
    public const string Office = "office";
    public const string Management = "management";

    /// <summary>The API server's port on the host's management address (KubeSim itself stays on loopback).</summary>
    public const int ApiPort = 6443;

    /// <summary>Where the API is reached from the host and from every node.</summary>
    public Uri ApiServer => new($"http://{HostManagementAddress}:{ApiPort}");

    public static readonly IPNetwork ManagementRange = IPNetwork.Parse("203.0.113.0/24");

    /// <summary>The four /26 slices a lab picks from by default (the first one no host interface uses yet).</summary>
    public static ImmutableArray<IPNetwork> DefaultManagementSubnets { get; } =
        [IPNetwork.Parse("203.0.113.0/26"), IPNetwork.Parse("203.0.113.64/26"), IPNetwork.Parse("203.0.113.128/26"), IPNetwork.Parse("203.0.113.192/26")];

    /// <summary>Null when <paramref name="subnet"/> cannot be a lab's management LAN, else the reason.</summary>
    public static string? CheckManagementSubnet(IPNetwork subnet) =>
        subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork || !ManagementRange.Contains(subnet.BaseAddress) || subnet.PrefixLength is < 24 or > 27
            ? $"--mgmt-subnet {subnet} must be a /25 to /27 inside 203.0.113.0/24 (a documentation prefix with room for .1 and .10+N)"
            : PodNetwork.CheckRoom(subnet);

    /// <summary>The plan; <paramref name="router"/>: the lab has `up --bgp`'s router, and so its client behind it.</summary>
    public static LabPlan Create(LabNames names, IReadOnlyList<string> nodeNames, IPNetwork managementSubnet, IReadOnlyList<Cluster.PodRecord>? pods = null, bool router = false)
    {
        if (CheckManagementSubnet(managementSubnet) is { } problem)
        {
            throw new ArgumentException(problem, nameof(managementSubnet));
        }

        if (nodeNames.Count is < 1 or > MaxNodes)
        {
            throw new ArgumentException($"a lab has 1 to {MaxNodes} nodes (their addresses end in .11 to .19), not {nodeNames.Count}", nameof(nodeNames));
        }

        if (nodeNames.FirstOrDefault(n => LabNames.ReservedNodeNames.Contains(n) || n.StartsWith(LabNames.HostInfix, StringComparison.Ordinal) || !IsNodeName(n)) is { } bad)
        {
            throw new ArgumentException($"node name '{bad}' cannot name a lab namespace (reserved, or not a lower-case DNS name)", nameof(nodeNames));
        }

        if (nodeNames.Distinct(StringComparer.Ordinal).Count() != nodeNames.Count)
        {
            throw new ArgumentException("node names must be distinct", nameof(nodeNames));
        }

        var hostAddress = Offset(managementSubnet.BaseAddress, 1);
        var nodes = nodeNames.Select((name, i) =>
        {
            var k = i + 1;
            var host = 10 + k;
            var management = Offset(managementSubnet.BaseAddress, host);
            var managementV6 = PodNetwork.ManagementV6Address(k);
            return new NodePlan(k, name, names.NodeNamespace(name), management,
            [
                new InterfacePlan("eno2", External, $"n{k}-eno2", [$"192.0.2.{host}/24", $"2001:db8:3a::{host}/64"]),
                new InterfacePlan("eno3", Office, $"n{k}-eno3", [$"198.51.100.{host}/24", $"2001:db8:403::{host}/64"]),
                new InterfacePlan("mgmt0", Management, $"n{k}-mgmt0", [$"{management}/{managementSubnet.PrefixLength}", PodNetwork.Cidr(managementV6, PodNetwork.ManagementV6)]),
            ], managementV6, PodNetwork.RangeOf(managementSubnet, k));
        }).ToImmutableArray();

        return new LabPlan(
            names,
            managementSubnet,
            hostAddress,
            [new LanPlan(External, "br-external"), new LanPlan(Office, "br-office"), new LanPlan(Management, "br-mgmt")],
            nodes,
            [
                new ClientPlan(External, names.ClientNamespace(External), new InterfacePlan("ext0", External, "c-ext0", ["192.0.2.1/24", "2001:db8:3a::1/64"])),
                new ClientPlan(Office, names.ClientNamespace(Office), new InterfacePlan("ofc0", Office, "c-ofc0", ["198.51.100.1/24", "2001:db8:403::1/64"])),
            ],
            PlanPods(names, nodes, pods ?? []))
        {
            RemoteClient = router ? RemoteClientPlan.For(names) : null,
        };
    }

    /// <summary>Each pod's namespace, veth and addresses: the node's pods take its range's slots in the order given.</summary>
    private static ImmutableArray<PodPlan> PlanPods(LabNames names, ImmutableArray<NodePlan> nodes, IReadOnlyList<Cluster.PodRecord> pods)
    {
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var plans = ImmutableArray.CreateBuilder<PodPlan>();
        for (var i = 0; i < pods.Count; i++)
        {
            var pod = pods[i];
            var node = nodes.FirstOrDefault(n => n.Name == pod.Node)
                ?? throw new ArgumentException($"pod {pod.Namespace}/{pod.Name} is on {pod.Node}, which is not a node of the lab", nameof(pods));
            var slot = slots[node.Name] = slots.GetValueOrDefault(node.Name) + 1;
            if (slot > PodNetwork.PodsPerNode)
            {
                throw new ArgumentException($"node {node.Name} has room for {PodNetwork.PodsPerNode} pods, not {slot}", nameof(pods));
            }

            var (v4, v6) = node.PodRange.Pod(slot - 1);
            plans.Add(new PodPlan(pod, names.PodNamespace(pod.Namespace, pod.Name), node.Namespace, "eth0", $"vethpod{i}", v4, v6, node.PodRange));
        }

        return plans.ToImmutable();
    }

    public LanPlan Lan(string name) => Lans.Single(l => l.Name == name);

    /// <summary>The client on the LAN an address belongs to (for "try arping from …"), or null.</summary>
    public ClientPlan? ClientFor(IPAddress address) =>
        Clients.FirstOrDefault(c => c.Interface.Addresses.Any(a => Cidr.Network(a).Contains(address)));

    /// <summary>The namespace of a node (by name), a LAN's client (by LAN, or its namespace suffix "externalclient"), a
    /// pod ("namespace/pod"), or with the router "router" and its client "remote"; null when there is no such place.</summary>
    public string? NamespaceOf(string place) =>
        Nodes.FirstOrDefault(n => n.Name == place)?.Namespace
        ?? Clients.FirstOrDefault(c => c.Lan == place || c.Namespace == Names.ClientNamespace(place.Replace("client", "", StringComparison.Ordinal)))?.Namespace
        ?? Pods.FirstOrDefault(p => $"{p.Pod.Namespace}/{p.Pod.Name}" == place)?.Netns
        ?? (RemoteClient is { } remote && place is RemoteClientPlan.Lan or RemoteClientPlan.Lan + "client" ? remote.Namespace : null)
        ?? (RemoteClient is { } router && place == RouterPlace ? router.RouterNamespace : null);

    /// <summary>Every place <see cref="NamespaceOf"/> knows, by its shortest name.</summary>
    public IEnumerable<string> Places() =>
        Nodes.Select(n => n.Name).Concat(Clients.Select(c => c.Lan)).Concat(Pods.Select(p => $"{p.Pod.Namespace}/{p.Pod.Name}"))
            .Concat(RemoteClient is null ? [] : [RouterPlace, RemoteClientPlan.Lan]);

    /// <summary>How `exec` names the router's namespace.</summary>
    public const string RouterPlace = "router";

    /// <summary>Every namespace, in the order they are made (pods last: `down` removes them first).</summary>
    public IEnumerable<string> Namespaces() =>
        new[] { Names.LanNamespace }.Concat(Clients.Select(c => c.Namespace)).Concat(Nodes.Select(n => n.Namespace)).Concat(Pods.Select(p => p.Netns));

    private static IPAddress Offset(IPAddress network, int offset)
    {
        var bytes = network.GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)offset;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    private static bool IsNodeName(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
