namespace IronLb.Speaker.Tests;

/// <summary>
/// The examples/lab shape (campus on documentation prefixes) as text, written here so the tests do not
/// change when the example does: four nodes, external on eno2, office on eno3, dual-stack Services.
/// </summary>
internal static class LabManifests
{
    public const string Pools = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: external, namespace: metallb-system}
        spec:
          autoAssign: false
          addresses: [192.0.2.176/28, 192.0.2.192/28, 2001:db8:3a::/64]
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: external, namespace: metallb-system}
        spec:
          ipAddressPools: [external]
          interfaces: [eno2]
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: office, namespace: metallb-system}
        spec:
          autoAssign: false
          addresses: [198.51.100.128/25, 2001:db8:403::/64]
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: office, namespace: metallb-system}
        spec:
          ipAddressPools: [office]
          interfaces: [eno3]
        """;

    /// <summary>smtpin by annotation only; smtpout with status; imap and webmail sharing a pair; dns on office.</summary>
    public const string Services = """
        apiVersion: v1
        kind: Service
        metadata:
          name: smtpin
          namespace: mail
          annotations: {metallb.io/loadBalancerIPs: "192.0.2.192,2001:db8:3a::25"}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 25, protocol: TCP}]}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: smtpout
          namespace: mail
          annotations: {metallb.io/loadBalancerIPs: "192.0.2.193,2001:db8:3a::587"}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 587, protocol: TCP}]}
        status:
          loadBalancer:
            ingress: [{ip: 192.0.2.193}, {ip: "2001:db8:3a::587"}]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: imap
          namespace: mail
          annotations: {metallb.io/loadBalancerIPs: "192.0.2.194,2001:db8:3a::143", metallb.io/allow-shared-ip: mail-user}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 993, protocol: TCP}]}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: webmail
          namespace: mail
          annotations: {metallb.io/loadBalancerIPs: "192.0.2.194,2001:db8:3a::143", metallb.io/allow-shared-ip: mail-user}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 443, protocol: TCP}]}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: dns
          namespace: dns
          annotations: {metallb.io/loadBalancerIPs: "198.51.100.254,2001:db8:403::53"}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 53, protocol: UDP}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: internal, namespace: web}
        spec: {type: ClusterIP, ports: [{port: 80, protocol: TCP}]}
        """;

    public static string Node(string name, string labels = "") => $$"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {{name}}
          labels: {kubernetes.io/hostname: {{name}}{{labels}}}
        """;

    public static string Nodes(params string[] names) => string.Join("\n---\n", names.Select(n => Node(n)));

    public static string All(string? nodes = null, string extra = "") =>
        string.Join("\n---\n", new[] { Pools, Services, nodes ?? Nodes("cwn1", "cwn2", "cwn3", "cwn4"), extra }.Where(s => s.Length > 0));
}
