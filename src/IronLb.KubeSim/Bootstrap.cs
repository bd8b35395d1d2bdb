using System.Text.Json.Nodes;
using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim;

/// <summary>What every fresh cluster has: the four system namespaces and the <c>kubernetes</c> Service on the first
/// address of the service CIDR, the default ServiceCIDR, and the default RBAC policy.</summary>
internal static class Bootstrap
{
    public static void Seed(ObjectService service)
    {
        var namespaces = service.Registry.Find("", "v1", "namespaces")!;
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            service.Create(namespaces, "", new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name },
                },
            }, WriteOptions.Default);
        }
        var services = service.Registry.Find("", "v1", "services")!;
        service.Create(services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.96.0.1",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        }, WriteOptions.Default);
        // kube-apiserver writes its --service-cluster-ip-range as the default ServiceCIDR named "kubernetes".
        var serviceCidrs = service.Registry.Find("networking.k8s.io", "v1", "servicecidrs")!;
        service.Create(serviceCidrs, "", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kubernetes" },
            ["spec"] = new JsonObject { ["cidrs"] = new JsonArray("10.96.0.0/12") },
        }, WriteOptions.Default);
        Authorization.BootstrapPolicy.Seed(service);
    }
}
