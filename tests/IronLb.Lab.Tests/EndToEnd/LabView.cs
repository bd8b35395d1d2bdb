using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>`ironlb-lab status --output json` as the test reads it, with the shape checked on the way in.</summary>
internal sealed record LabView(string Kubeconfig, string ApiServer, IReadOnlyList<LabView.Node> Nodes, IReadOnlyList<LabView.Client> Clients, IReadOnlyList<int> ControllerPids, IReadOnlyList<LabView.Pod> Pods)
{
    /// <summary>A router of `up --bgp`.</summary>
    public sealed record Router(string Name, string Netns, string Software, uint Asn, IReadOnlyList<string> Addresses);

    public IReadOnlyList<Router> Routers { get; init; } = [];

    /// <summary>A pod; <see cref="Addresses"/> as status writes them (IPv4 first).</summary>
    public sealed record Pod(string Namespace, string Name, string Service, string Node, string Netns, string Interface, IReadOnlyList<string> Addresses);

    public sealed record Node(string Name, string Netns, IReadOnlyDictionary<string, (string Mac, string Lan)> Interfaces, int? SpeakerPid);

    public sealed record Client(string Lan, string Netns, string Interface);

    private static readonly IPNetwork[] External = [IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8:3a::/64")];

    public static LabView Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["kubeconfig", "apiserver", "nodes", "clients", "controllerPids", "pods", "routers"], root.EnumerateObject().Select(p => p.Name));
        var nodes = root.GetProperty("nodes").EnumerateArray().Select(n =>
        {
            Assert.Equal(["name", "netns", "interfaces", "speakerPid"], n.EnumerateObject().Select(p => p.Name));
            var interfaces = n.GetProperty("interfaces").EnumerateArray().ToDictionary(
                i =>
                {
                    Assert.Equal(["name", "mac", "lan"], i.EnumerateObject().Select(p => p.Name));
                    return i.GetProperty("name").GetString()!;
                },
                i => (i.GetProperty("mac").GetString()!, i.GetProperty("lan").GetString()!));
            var pid = n.GetProperty("speakerPid");
            return new Node(n.GetProperty("name").GetString()!, n.GetProperty("netns").GetString()!, interfaces, pid.ValueKind == JsonValueKind.Null ? null : pid.GetInt32());
        }).ToList();
        var clients = root.GetProperty("clients").EnumerateArray().Select(c =>
        {
            Assert.Equal(["lan", "netns", "interface"], c.EnumerateObject().Select(p => p.Name));
            return new Client(c.GetProperty("lan").GetString()!, c.GetProperty("netns").GetString()!, c.GetProperty("interface").GetString()!);
        }).ToList();
        var pods = root.GetProperty("pods").EnumerateArray().Select(p =>
        {
            Assert.Equal(["namespace", "name", "service", "node", "netns", "interface", "addresses"], p.EnumerateObject().Select(q => q.Name));
            string Text(string name) => p.GetProperty(name).GetString()!;
            return new Pod(Text("namespace"), Text("name"), Text("service"), Text("node"), Text("netns"), Text("interface"),
                [.. p.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!)]);
        }).ToList();
        var routers = root.GetProperty("routers").EnumerateArray().Select(r =>
        {
            Assert.Equal(["name", "netns", "software", "asn", "addresses"], r.EnumerateObject().Select(p => p.Name));
            return new Router(r.GetProperty("name").GetString()!, r.GetProperty("netns").GetString()!, r.GetProperty("software").GetString()!,
                r.GetProperty("asn").GetUInt32(), [.. r.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!)]);
        }).ToList();
        return new LabView(root.GetProperty("kubeconfig").GetString()!, root.GetProperty("apiserver").GetString()!, nodes, clients,
            [.. root.GetProperty("controllerPids").EnumerateArray().Select(p => p.GetInt32())], pods)
        {
            Routers = routers,
        };
    }

    /// <summary>The LAN an example address is on: the external pool's prefixes, else office.</summary>
    public static string LanOf(IPAddress address) => External.Any(n => n.Contains(address)) ? "external" : "office";

    public Client ClientOn(string lan) => Clients.Single(c => c.Lan == lan);

    /// <summary>The MAC a node answers with on a LAN (eno2 on external, eno3 on office).</summary>
    public string MacOn(string node, string lan) => Nodes.Single(n => n.Name == node).Interfaces.Values.Single(i => i.Lan == lan).Mac;

    /// <summary>MetalLB's election, computed here independently: the lowest sha256("node#first ingress IP").</summary>
    public static string Elect(IEnumerable<string> nodes, string firstIngress) =>
        nodes.OrderBy(n => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{n}#{firstIngress}"))), StringComparer.Ordinal).First();
}
