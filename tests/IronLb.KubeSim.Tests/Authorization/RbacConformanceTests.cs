using System.Text.Json.Nodes;
using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Authorization;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim.Tests.Authorization;

/// <summary>
/// RBAC evaluated against outcomes kube-apiserver gives for the same objects and requests (its rule matching in
/// pkg/apis/rbac/v1 and the authorizer's binding walk): wildcards, subresources, resourceNames (also for a list pinned
/// to one name), ClusterRoles bound per namespace, ServiceAccount subjects, groups, aggregated ClusterRoles,
/// nonResourceURLs, and the default policy every authenticated user has.
/// </summary>
public sealed class RbacConformanceTests
{
    private const string Policy = """
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader},
           rules: [{apiGroups: [""], resources: [services, pods], verbs: [get, list, watch]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: reader},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}, subjects: [{kind: User, name: alice}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: status-writer},
           rules: [{apiGroups: [""], resources: ["*/status"], verbs: [update, patch]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: status-writer, namespace: mail},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: status-writer}, subjects: [{kind: ServiceAccount, name: mailer}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: metallb-all},
           rules: [{apiGroups: [metallb.io], resources: ["*"], verbs: ["*"]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: metallb-all, namespace: metallb-system},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metallb-all},
           subjects: [{kind: Group, name: "system:serviceaccounts:metallb-system"}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: lease-owner, namespace: metallb-system},
           rules: [{apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [ironlb-speaker-a], verbs: [get, list, watch, update, patch]},
                   {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: lease-owner, namespace: metallb-system},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease-owner},
           subjects: [{kind: ServiceAccount, name: speaker, namespace: metallb-system}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: borrowed, namespace: mail},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease-owner}, subjects: [{kind: User, name: dave}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: ops},
           aggregationRule: {clusterRoleSelectors: [{matchLabels: {example.org/aggregate-to-ops: "true"}}]},
           rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: ops-deployments, labels: {example.org/aggregate-to-ops: "true"}},
           rules: [{apiGroups: [apps], resources: [deployments], verbs: [get]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: ops-configmaps, labels: {example.org/aggregate-to-ops: "true"}},
           rules: [{apiGroups: [""], resources: [configmaps], verbs: [list]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: secrets-reader},
           rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: ops},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}, subjects: [{kind: Group, name: ops}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: metrics},
           rules: [{nonResourceURLs: [/metrics, "/logs/*"], verbs: [get]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: metrics},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics}, subjects: [{kind: User, name: bob}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: event-sweeper, namespace: mail},
           rules: [{apiGroups: [""], resources: [events], verbs: [deletecollection]}, {nonResourceURLs: [/debug], verbs: [get]}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: event-sweeper, namespace: mail},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: event-sweeper}, subjects: [{kind: User, name: bob}]}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: dangling},
           roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-there}, subjects: [{kind: User, name: carol}]}
        """;

    // user, verb, group, resource/subresource, namespace, name (or a path for non-resource requests), allowed
    public static TheoryData<string, string, string, string, string, string, bool> Rows => new()
    {
        // A ClusterRoleBinding grants in every namespace and at the cluster scope; verbs, groups and subresources must match.
        { "alice", "get", "", "services", "default", "web", true },
        { "alice", "list", "", "services", "", "", true },
        { "alice", "watch", "", "pods", "kube-system", "", true },
        { "alice", "patch", "", "services", "default", "web", false },
        { "alice", "get", "", "services/status", "default", "web", false },
        { "alice", "get", "apps", "deployments", "default", "web", false },
        { "alice", "get", "", "secrets", "default", "token", false },
        // A ClusterRole bound by a RoleBinding grants only in that namespace; */status is the subresource of any resource.
        { "sa:mail:mailer", "patch", "", "services/status", "mail", "web", true },
        { "sa:mail:mailer", "update", "", "pods/status", "mail", "p", true },
        { "sa:mail:mailer", "patch", "", "services", "mail", "web", false },
        { "sa:mail:mailer", "patch", "", "services/status", "default", "web", false },
        { "sa:mail:mailer", "patch", "", "services/status", "", "", false },
        { "sa:mail:mailer", "patch", "metallb.io", "ipaddresspools/status", "mail", "pool", false },
        // Wildcard resources and verbs, granted to a ServiceAccount group; "*" covers subresources too.
        { "sa:metallb-system:controller", "deletecollection", "metallb.io", "l2advertisements", "metallb-system", "", true },
        { "sa:metallb-system:controller", "patch", "metallb.io", "ipaddresspools/status", "metallb-system", "pool", true },
        { "sa:metallb-system:controller", "get", "metallb.io", "ipaddresspools", "default", "pool", false },
        { "sa:metallb-system:controller", "get", "coordination.k8s.io", "leases", "metallb-system", "x", false },
        { "sa:other:controller", "get", "metallb.io", "ipaddresspools", "metallb-system", "pool", false },
        // resourceNames: only the named object, a list only when pinned to it, and create is never restricted by name.
        { "sa:metallb-system:speaker", "get", "coordination.k8s.io", "leases", "metallb-system", "ironlb-speaker-a", true },
        { "sa:metallb-system:speaker", "patch", "coordination.k8s.io", "leases", "metallb-system", "ironlb-speaker-b", false },
        { "sa:metallb-system:speaker", "watch", "coordination.k8s.io", "leases", "metallb-system", "ironlb-speaker-a", true },
        { "sa:metallb-system:speaker", "list", "coordination.k8s.io", "leases", "metallb-system", "", false },
        { "sa:metallb-system:speaker", "create", "coordination.k8s.io", "leases", "metallb-system", "", true },
        { "sa:metallb-system:speaker", "delete", "coordination.k8s.io", "leases", "metallb-system", "ironlb-speaker-a", false },
        // A RoleBinding's Role is looked up in the binding's own namespace: a Role elsewhere grants nothing.
        { "dave", "get", "coordination.k8s.io", "leases", "mail", "ironlb-speaker-a", false },
        { "dave", "get", "coordination.k8s.io", "leases", "metallb-system", "ironlb-speaker-a", false },
        // Aggregation: the union of the labelled ClusterRoles replaces the aggregated role's own rules.
        { "group:ops", "get", "apps", "deployments", "shop", "web", true },
        { "group:ops", "list", "", "configmaps", "shop", "", true },
        { "group:ops", "get", "", "secrets", "shop", "db", false },
        { "group:ops", "delete", "apps", "deployments", "shop", "web", false },
        // nonResourceURLs: exact, or a prefix ending in *; only through ClusterRoleBindings (a Role's are ignored).
        { "bob", "get", "", "", "", "/metrics", true },
        { "bob", "get", "", "", "", "/logs/kubelet.log", true },
        { "bob", "get", "", "", "", "/logs", false },
        { "bob", "post", "", "", "", "/metrics", false },
        { "bob", "get", "", "", "", "/debug", false },
        { "bob", "deletecollection", "", "events", "mail", "", true },
        { "bob", "delete", "", "events", "mail", "e1", false },
        // A binding to a missing role grants nothing; the default policy gives everyone discovery and self reviews.
        { "carol", "get", "", "services", "default", "web", false },
        { "carol", "get", "", "", "", "/apis/metallb.io/v1beta1", true },
        { "carol", "get", "", "", "", "/version", true },
        { "carol", "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", true },
        { "carol", "get", "", "", "", "/metrics", false },
        // system:masters is allowed everything without any binding.
        { "group:system:masters", "escalate", "rbac.authorization.k8s.io", "clusterroles", "", "admin", true },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Request_is_decided_as_kube_apiserver_decides_it(string user, string verb, string group, string resource, string ns, string nameOrPath, bool allowed)
    {
        var authorizer = new RbacAuthorizer(Seeded().Store);

        var decision = authorizer.Authorize(Request(User(user), verb, group, resource, ns, nameOrPath));

        Assert.Equal(allowed, decision.Allowed);
    }

    [Fact]
    public void An_allow_names_the_binding_role_and_subject_as_rbac_does()
    {
        var authorizer = new RbacAuthorizer(Seeded().Store);

        var decision = authorizer.Authorize(Request(User("sa:mail:mailer"), "patch", "", "services/status", "mail", "web"));

        Assert.Equal("RBAC: allowed by RoleBinding \"status-writer/mail\" of ClusterRole \"status-writer\" to ServiceAccount \"mailer/mail\"", decision.Reason);
    }

    [Fact]
    public void A_changed_binding_takes_effect_at_the_next_request()
    {
        var service = Seeded();
        var authorizer = new RbacAuthorizer(service.Store);
        var request = Request(User("alice"), "get", "", "services", "default", "web");
        var bindings = service.Registry.Find("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!;
        Assert.True(authorizer.Authorize(request).Allowed);

        service.Delete(bindings, "", "reader", null, WriteOptions.Default);
        var afterDelete = authorizer.Authorize(request).Allowed;
        service.Create(bindings, "", Yaml("""
            {roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}, metadata: {name: reader-again}, subjects: [{kind: User, name: alice}]}
            """), WriteOptions.Default);

        Assert.False(afterDelete);
        Assert.True(authorizer.Authorize(request).Allowed);
    }

    private static ObjectService Seeded()
    {
        var service = new ObjectService(new ObjectStore(1000), new ResourceRegistry(), TimeProvider.System);
        Bootstrap.Seed(service);
        var namespaces = service.Registry.Find("", "v1", "namespaces")!;
        foreach (var ns in new[] { "mail", "metallb-system" })
        {
            service.Create(namespaces, "", Yaml($"{{metadata: {{name: {ns}}}}}"), WriteOptions.Default);
        }
        foreach (var node in (JsonArray)YamlToJson.Convert(Policy)!)
        {
            var obj = (JsonObject)node!;
            var plural = JsonText.Str(obj, "kind")!.ToLowerInvariant() + "s";
            var type = service.Registry.Find("rbac.authorization.k8s.io", "v1", plural)!;
            service.Create(type, JsonText.Str(obj, "metadata", "namespace") ?? "", (JsonObject)obj.DeepClone(), WriteOptions.Default);
        }
        return service;
    }

    private static JsonObject Yaml(string yaml) => (JsonObject)YamlToJson.Convert(yaml)!;

    /// <summary>"alice" is a user; "sa:NS:NAME" a ServiceAccount; "group:G" a user in group G.</summary>
    internal static UserInfo User(string spec) => spec.Split(':', 2) switch
    {
        ["sa", var rest] => UserInfo.ServiceAccount(rest.Split(':')[0], rest.Split(':')[1]),
        ["group", var group] => new UserInfo("someone", [group, UserInfo.Authenticated]),
        _ => new UserInfo(spec, [UserInfo.Authenticated]),
    };

    private static RequestAttributes Request(UserInfo user, string verb, string group, string resource, string ns, string nameOrPath)
    {
        if (resource.Length == 0)
        {
            return new RequestAttributes { User = user, Verb = verb, Path = nameOrPath };
        }
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        return new RequestAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            Group = group,
            Resource = slash < 0 ? resource : resource[..slash],
            Subresource = slash < 0 ? "" : resource[(slash + 1)..],
            Namespace = ns,
            Name = nameOrPath,
        };
    }
}
