using System.Text.Json.Nodes;
using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim.Authorization;

/// <summary>
/// The default ClusterRoles and ClusterRoleBindings every cluster starts with that matter to a client: cluster-admin for
/// <c>system:masters</c>, and for every authenticated user discovery, the health and version paths and the self access
/// reviews, so a ServiceAccount's kubectl and client library can start without extra grants, as on kube-apiserver.
/// </summary>
internal static class BootstrapPolicy
{
    private static readonly string[] Get = ["get"];

    public static void Seed(ObjectService service)
    {
        Role(service, "cluster-admin", [
            PolicyRule.Resource(["*"], ["*"], ["*"]),
            PolicyRule.NonResource(["*"], "*"),
        ]);
        Binding(service, "cluster-admin", "system:masters");

        Role(service, "system:discovery", [
            PolicyRule.NonResource(Get, "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"),
        ]);
        Binding(service, "system:discovery", UserInfo.Authenticated);

        Role(service, "system:basic-user", [
            PolicyRule.Resource(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            PolicyRule.Resource(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
        ]);
        Binding(service, "system:basic-user", UserInfo.Authenticated);

        Role(service, "system:public-info-viewer", [
            PolicyRule.NonResource(Get, "/healthz", "/livez", "/readyz", "/version", "/version/"),
        ]);
        Binding(service, "system:public-info-viewer", UserInfo.Authenticated, "system:unauthenticated");
    }

    private static JsonObject Metadata(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static void Role(ObjectService service, string name, PolicyRule[] rules)
    {
        var list = new JsonArray();
        foreach (var rule in rules)
        {
            list.AddNode(rule.ToJson());
        }
        service.Create(service.Registry.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!, "",
            new JsonObject { ["metadata"] = Metadata(name), ["rules"] = list }, WriteOptions.Default);
    }

    private static void Binding(ObjectService service, string name, params string[] groups)
    {
        var subjects = new JsonArray();
        foreach (var group in groups)
        {
            subjects.AddNode(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = group });
        }
        service.Create(service.Registry.Find("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!, "", new JsonObject
        {
            ["metadata"] = Metadata(name),
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = name },
            ["subjects"] = subjects,
        }, WriteOptions.Default);
    }
}
