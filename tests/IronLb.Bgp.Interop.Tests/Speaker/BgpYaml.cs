using System.Globalization;
using System.Net;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// The BGP objects a file-mode speaker reads (IPAddressPool, BGPPeer v1beta2, BGPAdvertisement, Community), written as
/// a user writes them. Kept here, beside the only tests that feed them to the real binary.
/// </summary>
internal static class BgpYaml
{
    public static string Pool(string name, params string[] addresses) => $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {autoAssign: false, addresses: [{{string.Join(", ", addresses.Select(a => $"\"{a}\""))}}]}
        """;

    /// <summary>A BGPPeer for <paramref name="node"/> alone; <paramref name="extra"/> are more spec fields, "key: value".</summary>
    public static string Peer(string name, string node, uint myAsn, uint peerAsn, IPAddress address, params string[] extra) => $$"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: {{name}}, namespace: metallb-system}
        spec:
          myASN: {{myAsn.ToString(CultureInfo.InvariantCulture)}}
          peerASN: {{peerAsn.ToString(CultureInfo.InvariantCulture)}}
          peerAddress: "{{address}}"
          nodeSelectors:
            - matchLabels: {kubernetes.io/hostname: {{node}}}
        {{Indented(extra)}}
        """;

    /// <summary>A BGPAdvertisement of <paramref name="pool"/>; <paramref name="extra"/> are more spec fields.</summary>
    public static string Advertisement(string name, string pool, params string[] extra) => $$"""
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: {{name}}, namespace: metallb-system}
        spec:
          ipAddressPools: [{{pool}}]
        {{Indented(extra)}}
        """;

    /// <summary>A Community object naming <paramref name="value"/> <paramref name="alias"/>, for advertisements to use.</summary>
    public static string Community(string name, string alias, string value) => $$"""
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata: {name: {{name}}, namespace: metallb-system}
        spec:
          communities: [{name: {{alias}}, value: "{{value}}"}]
        """;

    /// <summary>An EndpointSlice of <paramref name="service"/> with one endpoint on <paramref name="node"/>, ready unless told.</summary>
    public static string EndpointSlice(string ns, string service, string node, string address, bool ready = true) => $$"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {{service}}-1
          namespace: {{ns}}
          labels: {kubernetes.io/service-name: {{service}}}
        addressType: IPv4
        endpoints: [{addresses: ["{{address}}"], conditions: {ready: {{(ready ? "true" : "false")}}}, nodeName: {{node}}}]
        """;

    /// <summary>A Node with its hostname label and <paramref name="labels"/> ("key: value").</summary>
    public static string Node(string name, params string[] labels) => $$"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {{name}}
          labels: {{{string.Join(", ", labels.Prepend("kubernetes.io/hostname: " + name))}}}
        """;

    /// <summary>A basic-auth Secret in MetalLB's namespace holding <paramref name="password"/>, as a BGPPeer's passwordSecret names it.</summary>
    public static string PasswordSecret(string name, string password) => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: {{name}}, namespace: metallb-system}
        type: kubernetes.io/basic-auth
        data: {password: {{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password))}}}
        """;

    private static string Indented(string[] lines) => string.Join("\n", lines.Select(l => "  " + l));
}
