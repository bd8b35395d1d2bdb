namespace IronLb.Deploy.Tests.Smoke;

/// <summary>The file-mode speaker's folder: one pool announced on eno2, one Node, one file per Service.</summary>
internal static class Manifests
{
    public static string PoolAndNode(string pool, string node) => $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: external, namespace: metallb-system}
        spec: {autoAssign: false, addresses: ["{{pool}}"]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: external, namespace: metallb-system}
        spec: {ipAddressPools: [external], interfaces: [eno2]}
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: {{node}}
          labels: {kubernetes.io/hostname: {{node}}}
        """;

    public static string Service(string name, string address) => $$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
          namespace: web
          annotations: {metallb.io/loadBalancerIPs: "{{address}}"}
        spec: {type: LoadBalancer, ipFamilyPolicy: SingleStack, ipFamilies: [IPv4], ports: [{port: 80, protocol: TCP}]}
        """;

    /// <summary>Write-then-rename, as editors and GitOps tools replace files, so the speaker never reads half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
