namespace IronLb.Lab.Cluster;

/// <summary>The lab's kubeconfig: the API server on the host's management address, so the controller on the host
/// and the speakers inside the node namespaces use the same file (KubeSim accepts any token).</summary>
internal static class Kubeconfig
{
    public static string Text(Uri server) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: ironlb-lab
          cluster:
            server: {server.GetLeftPart(UriPartial.Authority)}
        contexts:
        - name: ironlb-lab
          context:
            cluster: ironlb-lab
            user: ironlb-lab
            namespace: default
        current-context: ironlb-lab
        users:
        - name: ironlb-lab
          user:
            token: ironlb-lab

        """;
}
