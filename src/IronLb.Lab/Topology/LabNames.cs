using System.Text.RegularExpressions;

namespace IronLb.Lab.Topology;

/// <summary>
/// Every name a lab gives to something outside its state directory, derived from the lab's name alone, so
/// <c>down</c> can find them again after <c>up</c> crashed before recording anything. Lab names have no dash:
/// then <c>ilab-NAME-</c> can never be the start of another lab's namespace, and the sweep by prefix is exact.
/// </summary>
internal sealed partial record LabNames
{
    /// <summary>Linux interface names are at most 15 bytes (IFNAMSIZ - 1).</summary>
    public const int MaxInterfaceName = 15;

    public const int MaxLabName = 10;

    private const string Prefix = "ilab-";

    private LabNames(string lab) => Lab = lab;

    public string Lab { get; }

    /// <summary>Start of every namespace of this lab.</summary>
    public string NamespacePrefix => $"{Prefix}{Lab}-";

    /// <summary>The namespace holding the three bridges.</summary>
    public string LanNamespace => $"{NamespacePrefix}lan";

    public string ClientNamespace(string lan) => $"{NamespacePrefix}{lan}client";

    /// <summary>The router's namespace (`up --bgp`); its name is also FRR's pathspace, so vtysh -N finds it.</summary>
    public string RouterNamespace => $"{NamespacePrefix}router";

    public string NodeNamespace(string node) => $"{NamespacePrefix}{node}";

    /// <summary>A pod's namespace: the underscores (which no node name has) keep it apart from every node's.</summary>
    public string PodNamespace(string ns, string pod) => $"{NamespacePrefix}pod_{ns}_{pod}";

    /// <summary>
    /// An "other host" on one of the lab's LANs (a printer, a rogue): the infix "host-" cannot start a node's namespace,
    /// because <see cref="LabPlan"/> refuses node names beginning with it.
    /// </summary>
    public string HostNamespace(string host) => $"{NamespacePrefix}{HostInfix}{host}";

    public const string HostInfix = "host-";

    /// <summary>A host's veth end on its LAN's bridge: "h-" and at most 10 characters, within <see cref="MaxInterfaceName"/>.</summary>
    public static string HostBridgePort(string host) => $"h-{host}";

    /// <summary>The host's own end, inside its namespace.</summary>
    public const string HostInterface = "lan0";

    public const int MaxHostName = 10;

    /// <summary>Null when <paramref name="host"/> can name a lab host, else why not.</summary>
    public static string? CheckHostName(string host) =>
        LabNamePattern().IsMatch(host) ? null
            : $"host name '{host}' must be 1–{MaxHostName} characters a–z or 0–9 (its bridge port h-{host} must fit {MaxInterfaceName} characters)";

    /// <summary>The host end of the management veth: the only thing the lab adds to the host's namespace.</summary>
    public string HostLink => $"{Prefix}{Lab}";

    /// <summary>Its peer, plugged into the management bridge.</summary>
    public const string HostPeer = "host0";

    /// <summary>Where the lab keeps state, kubeconfig, key and logs (tmpfs: gone after a reboot, like the namespaces).</summary>
    public string StateDirectory(string root) => Path.Combine(root, Lab);

    /// <summary>Namespace suffixes the lab uses itself; a node may not be called like one of them.</summary>
    public static readonly IReadOnlySet<string> ReservedNodeNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "lan", "externalclient", "officeclient", "managementclient", "router", "remoteclient",
    };

    /// <summary>The lab's names, or null with the reason when <paramref name="lab"/> is not usable.</summary>
    public static LabNames? TryCreate(string lab, out string? problem)
    {
        problem = LabNamePattern().IsMatch(lab) ? null
            : $"lab name '{lab}' must be 1–{MaxLabName} characters a–z or 0–9 (it becomes part of interface names of at most {MaxInterfaceName} characters)";
        return problem is null ? new LabNames(lab) : null;
    }

    public static LabNames Create(string lab) => TryCreate(lab, out var problem) ?? throw new ArgumentException(problem, nameof(lab));

    [GeneratedRegex("^[a-z0-9]{1,10}$")]
    private static partial Regex LabNamePattern();
}
