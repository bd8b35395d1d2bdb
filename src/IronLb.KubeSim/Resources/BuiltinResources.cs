using System.Collections.Immutable;

namespace IronLb.KubeSim.Resources;

/// <summary>The built-in kinds IronLB, kubectl and the lab use, with the names, short names and categories of
/// kube-apiserver 1.32 so kubectl's resource resolution (<c>svc</c>, <c>ev</c>, <c>all</c>) works unchanged.</summary>
internal static class BuiltinResources
{
    public static ImmutableArray<ResourceType> All { get; } =
    [
        Core("Namespace", "namespaces", namespaced: false, status: true, KindBehaviour.Namespace, ["ns"]),
        Core("Node", "nodes", namespaced: false, status: true, KindBehaviour.Node, ["no"]),
        Core("Service", "services", namespaced: true, status: true, KindBehaviour.Service, ["svc"], ["all"]),
        Core("Endpoints", "endpoints", namespaced: true, status: false, KindBehaviour.Generic, ["ep"]) with { Singular = "endpoints" },
        Core("Pod", "pods", namespaced: true, status: true, KindBehaviour.Pod, ["po"], ["all"]),
        Core("Secret", "secrets", namespaced: true, status: false, KindBehaviour.Generic, []),
        Core("ConfigMap", "configmaps", namespaced: true, status: false, KindBehaviour.Generic, ["cm"]),
        Core("ServiceAccount", "serviceaccounts", namespaced: true, status: false, KindBehaviour.Generic, ["sa"]),
        Core("Event", "events", namespaced: true, status: false, KindBehaviour.Event, ["ev"]),
        new ResourceType
        {
            Group = "discovery.k8s.io", Version = "v1", Kind = "EndpointSlice", Plural = "endpointslices",
            Singular = "endpointslice", Namespaced = true,
        },
        new ResourceType
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases",
            Singular = "lease", Namespaced = true,
        },
        new ResourceType
        {
            Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Singular = "event",
            Namespaced = true, ShortNames = ["ev"], Behaviour = KindBehaviour.Event, IsEventsV1 = true,
            StorageKeyOverride = "/events",
        },
        // Stored and served without controllers, so deploy/ manifests (workloads, RBAC, webhooks) apply as they do
        // to a real cluster; nothing runs them.
        Workload("Deployment", "deployments", ["deploy"]),
        Workload("DaemonSet", "daemonsets", ["ds"]),
        Workload("StatefulSet", "statefulsets", ["sts"]),
        Workload("ReplicaSet", "replicasets", ["rs"]),
        Stored("rbac.authorization.k8s.io", "Role", "roles", namespaced: true),
        Stored("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", namespaced: true),
        Stored("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", namespaced: false),
        Stored("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", namespaced: false),
        Stored("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", namespaced: false),
        Stored("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", namespaced: false),
        Stored("policy", "PodDisruptionBudget", "poddisruptionbudgets", namespaced: true) with { ShortNames = ["pdb"], HasStatus = true, HasGeneration = true },
        Stored("scheduling.k8s.io", "PriorityClass", "priorityclasses", namespaced: false) with { ShortNames = ["pc"] },
        // The Service ranges (GA in 1.33): the speaker keeps egress to them inside the cluster.
        Stored("networking.k8s.io", "ServiceCIDR", "servicecidrs", namespaced: false) with { HasStatus = true },
        new ResourceType
        {
            Group = "authorization.k8s.io", Version = "v1", Kind = "SelfSubjectAccessReview",
            Plural = "selfsubjectaccessreviews", Singular = "selfsubjectaccessreview", Namespaced = false,
            Behaviour = KindBehaviour.Review, Verbs = ["create"],
        },
        new ResourceType
        {
            Group = "authorization.k8s.io", Version = "v1", Kind = "SelfSubjectRulesReview",
            Plural = "selfsubjectrulesreviews", Singular = "selfsubjectrulesreview", Namespaced = false,
            Behaviour = KindBehaviour.Review, Verbs = ["create"],
        },
        new ResourceType
        {
            Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition",
            Plural = "customresourcedefinitions", Singular = "customresourcedefinition", Namespaced = false,
            ShortNames = ["crd", "crds"], HasStatus = true, HasGeneration = true,
            Behaviour = KindBehaviour.CustomResourceDefinition,
        },
    ];

    private static ResourceType Workload(string kind, string plural, ImmutableArray<string> shortNames) =>
        Stored("apps", kind, plural, namespaced: true) with
        {
            ShortNames = shortNames,
            Categories = ["all"],
            HasStatus = true,
            HasGeneration = true,
        };

    private static ResourceType Stored(string group, string kind, string plural, bool namespaced) => new()
    {
        Group = group,
        Version = "v1",
        Kind = kind,
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced,
    };

    private static ResourceType Core(
        string kind, string plural, bool namespaced, bool status, KindBehaviour behaviour,
        ImmutableArray<string> shortNames, ImmutableArray<string> categories = default) =>
        new()
        {
            Group = "",
            Version = "v1",
            Kind = kind,
            Plural = plural,
            Singular = kind.ToLowerInvariant(),
            Namespaced = namespaced,
            HasStatus = status,
            Behaviour = behaviour,
            ShortNames = shortNames,
            Categories = categories.IsDefault ? [] : categories,
        };
}
