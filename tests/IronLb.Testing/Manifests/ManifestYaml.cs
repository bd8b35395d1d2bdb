using System.Globalization;

namespace IronLb.Testing.Manifests;

/// <summary>
/// The YAML of the few objects a file-mode speaker (`ironlb speaker --manifests`) or `plan` needs, written the way a
/// user writes them, so tests and benches build their clusters from one place.
/// </summary>
public static class ManifestYaml
{
    /// <summary>Documents joined into one multi-document file.</summary>
    public static string Join(params string[] documents) => string.Join("\n---\n", documents.Select(d => d.TrimEnd('\n')));

    /// <summary>A pool (autoAssign off, as the campus's) and its L2Advertisement on <paramref name="iface"/>.</summary>
    public static string PoolAnnouncedOn(string name, string iface, params string[] addresses) => $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {autoAssign: false, addresses: [{{string.Join(", ", addresses.Select(Quoted))}}]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {ipAddressPools: [{{name}}], interfaces: [{{iface}}]}
        """;

    public static string Node(string name) => $$"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {{name}}
          labels: {kubernetes.io/hostname: {{name}}}
        """;

    /// <summary>
    /// A LoadBalancer Service naming its addresses (one, or one per family: RequireDualStack) in
    /// metallb.io/loadBalancerIPs; with <paramref name="assigned"/> its status shows them too, as a running cluster's does.
    /// </summary>
    public static string Service(string ns, string name, string[] addresses, int port, string protocol = "TCP", bool assigned = false)
    {
        var dual = addresses.Length == 2;
        var yaml = $$"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {{name}}
              namespace: {{ns}}
              annotations: {metallb.io/loadBalancerIPs: "{{string.Join(",", addresses)}}"}
            spec: {type: LoadBalancer, ipFamilyPolicy: {{(dual ? "RequireDualStack" : "SingleStack")}}, ipFamilies: [{{(dual ? "IPv4, IPv6" : Family(addresses[0]))}}], ports: [{port: {{port.ToString(CultureInfo.InvariantCulture)}}, protocol: {{protocol}}}]}
            """;
        return assigned
            ? yaml + $$"""

                status:
                  loadBalancer:
                    ingress: [{{string.Join(", ", addresses.Select(a => $"{{ip: {Quoted(a)}}}"))}}]
                """
            : yaml;
    }

    private static string Family(string address) => address.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4";

    private static string Quoted(string value) => $"\"{value}\"";
}
