namespace IronLb.Deploy.Tests;

/// <summary>
/// Least privilege: every (apiGroup, resource, verb, resourceName) the controller's and speaker's roles grant,
/// compared with a table of exactly what each component requests (reference §5.6 minus what IronLB does not
/// use). A broadened rule, a wildcard or a missing one fails.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class RbacTests
{
    private const string Any = "*";

    public static TheoryData<string, string> Roles => new()
    {
        { "ClusterRole", "ironlb-controller" },
        { "Role", "ironlb-controller" },
        { "ClusterRole", "ironlb-speaker" },
        { "Role", "ironlb-speaker" },
    };

    // Declared before Expected: static fields initialize in order.
    private static readonly string[] Full = ["get", "list", "watch", "create", "update", "patch", "delete"];

    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["ClusterRole/ironlb-controller"] =
        [
            .. Grants("", "services", Any, "list", "watch"),
            .. Grants("", "namespaces", Any, "list", "watch"),
            .. Grants("", "services/status", Any, "update"),
            .. Grants("", "events", Any, "create"),
        ],
        ["Role/ironlb-controller"] =
        [
            .. Grants("metallb.io", "ipaddresspools", Any, "list", "watch"),
            .. Grants("metallb.io", "ipaddresspools/status", Any, "patch"),
            .. Grants("metallb.io", "configurationstates", Any, "create"),
            .. Grants("metallb.io", "configurationstates", "controller", "get"),
            .. Grants("metallb.io", "configurationstates/status", "controller", "patch"),
            .. Grants("coordination.k8s.io", "leases", Any, "create"),
            .. Grants("coordination.k8s.io", "leases", "ironlb-controller", "get", "update"),
        ],
        ["ClusterRole/ironlb-speaker"] =
        [
            .. Grants("", "services", Any, "list", "watch"),
            .. Grants("", "nodes", Any, "list", "watch"),
            .. Grants("", "namespaces", Any, "list", "watch"),
            .. Grants("discovery.k8s.io", "endpointslices", Any, "list", "watch"),
            .. Grants("networking.k8s.io", "servicecidrs", Any, "list", "watch"),
            .. Grants("", "events", Any, "create"),
        ],
        ["Role/ironlb-speaker"] =
        [
            .. Grants("metallb.io", "ipaddresspools", Any, "list", "watch"),
            .. Grants("metallb.io", "l2advertisements", Any, "list", "watch"),
            .. Grants("metallb.io", "bgppeers", Any, "list", "watch"),
            .. Grants("metallb.io", "bgpadvertisements", Any, "list", "watch"),
            .. Grants("metallb.io", "communities", Any, "list", "watch"),
            .. Grants("", "secrets", Any, "list", "watch"),
            .. Grants("metallb.io", "servicebgpstatuses", Any, "list", "watch", "create", "delete"),
            .. Grants("metallb.io", "servicebgpstatuses/status", Any, "patch"),
            .. Grants("metallb.io", "servicel2statuses", Any, "list", "watch", "create", "delete"),
            .. Grants("metallb.io", "servicel2statuses/status", Any, "patch"),
            .. Grants("metallb.io", "configurationstates", Any, "get", "create", "patch"),
            .. Grants("metallb.io", "configurationstates/status", Any, "patch"),
            .. Grants("coordination.k8s.io", "leases", Any, "list", "watch", "create", "patch"),
            .. Grants("", "pods", Any, "get"),
        ],
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Role_grants_exactly_what_the_component_uses(string kind, string name)
    {
        var (_, objects) = await Rendered.RenderAsync();
        var role = objects.Single(kind, name);
        var granted = new List<string>();
        foreach (var rule in Rendered.Seq(role.Node, "rules"))
        {
            Assert.Empty(Rendered.Seq(rule, "nonResourceURLs"));
            var names = Rendered.Strings(rule, "resourceNames");
            foreach (var group in Rendered.Strings(rule, "apiGroups"))
            {
                foreach (var resource in Rendered.Strings(rule, "resources"))
                {
                    foreach (var verb in Rendered.Strings(rule, "verbs"))
                    {
                        granted.AddRange(names.Count == 0
                            ? [Grant(group, resource, Any, verb)]
                            : names.Select(n => Grant(group, resource, n, verb)));
                    }
                }
            }
        }

        Assert.Equal(Expected[$"{kind}/{name}"].Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ClusterRoleBinding", "ironlb-controller", "ClusterRole", "ironlb-controller")]
    [InlineData("RoleBinding", "ironlb-controller", "Role", "ironlb-controller")]
    [InlineData("ClusterRoleBinding", "ironlb-speaker", "ClusterRole", "ironlb-speaker")]
    [InlineData("RoleBinding", "ironlb-speaker", "Role", "ironlb-speaker")]
    public async Task Binding_gives_the_role_to_its_component_only(string kind, string name, string roleKind, string serviceAccount)
    {
        var (_, objects) = await Rendered.RenderAsync();
        var binding = objects.Single(kind, name);
        Assert.Equal(roleKind, Rendered.Scalar(binding.Node, "roleRef", "kind"));
        Assert.Equal(name, Rendered.Scalar(binding.Node, "roleRef", "name"));
        var subject = Assert.Single(Rendered.Seq(binding.Node, "subjects"));
        Assert.Equal(
            ("ServiceAccount", serviceAccount, "metallb-system"),
            (Rendered.Scalar(subject, "kind"), Rendered.Scalar(subject, "name"), Rendered.Scalar(subject, "namespace")));
    }

    private static string Grant(string group, string resource, string resourceName, string verb) =>
        $"{(group.Length == 0 ? "core" : group)} {resource} {resourceName} {verb}";

    private static IEnumerable<string> Grants(string group, string resource, string resourceName, params string[] verbs) =>
        verbs.Select(v => Grant(group, resource, resourceName, v));
}
