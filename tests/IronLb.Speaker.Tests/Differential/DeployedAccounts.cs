using k8s;
using k8s.Models;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>
/// The differential's controller and speaker election under deploy/'s RBAC, installed the way ControllerHarness and
/// SpeakerCluster install it: deploy/rbac's own objects created in metallb-system, and a token for each
/// ServiceAccount. Each generated cluster has its own configuration namespace, so deploy/'s Roles and RoleBindings
/// (still naming the ServiceAccounts in metallb-system) are copied into it as they were applied: the rules are
/// deploy/'s, only the namespace they hold in differs, as in an install whose configuration namespace is not the one
/// its ServiceAccounts live in.
/// </summary>
internal sealed class DeployedAccounts
{
    private const string Home = "metallb-system";
    private static readonly string[] Accounts = ["ironlb-controller", "ironlb-speaker"];

    private readonly KubeSim.KubeSim _api;
    private readonly k8s.Kubernetes _admin;

    // Each account's Role and RoleBinding as created in metallb-system, read once.
    private readonly Dictionary<string, (V1Role Role, V1RoleBinding Binding)> _deployed;

    private DeployedAccounts(KubeSim.KubeSim api, k8s.Kubernetes admin, Dictionary<string, (V1Role, V1RoleBinding)> deployed)
    {
        _api = api;
        _admin = admin;
        _deployed = deployed;
    }

    /// <summary>A kubeconfig acting as the ServiceAccount ironlb-controller.</summary>
    public string ControllerKubeconfig { get; private init; } = "";

    /// <summary>A kubeconfig acting as the ServiceAccount ironlb-speaker.</summary>
    public string SpeakerKubeconfig { get; private init; } = "";

    public static async Task<DeployedAccounts> InstallAsync(KubeSim.KubeSim api, k8s.Kubernetes admin)
    {
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Home } });
        foreach (var file in new[] { "controller.yaml", "speaker.yaml" })
        {
            api.CreateFromYaml(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "rbac", file)));
        }

        var deployed = new Dictionary<string, (V1Role, V1RoleBinding)>();
        foreach (var name in Accounts)
        {
            deployed[name] = (await admin.RbacAuthorizationV1.ReadNamespacedRoleAsync(name, Home), await admin.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(name, Home));
        }

        return new DeployedAccounts(api, admin, deployed)
        {
            ControllerKubeconfig = api.WriteKubeconfigFor(Home, "ironlb-controller"),
            SpeakerKubeconfig = api.WriteKubeconfigFor(Home, "ironlb-speaker"),
        };
    }

    /// <summary>Copies deploy/'s Roles and RoleBindings from metallb-system into the configuration namespace.</summary>
    public async Task GrantAsync(string configNamespace)
    {
        var rbac = _admin.RbacAuthorizationV1;
        foreach (var name in Accounts)
        {
            var (role, binding) = _deployed[name];
            await rbac.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = name, Labels = role.Metadata.Labels }, Rules = role.Rules }, configNamespace);
            await rbac.CreateNamespacedRoleBindingAsync(new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = binding.Metadata.Labels },
                RoleRef = binding.RoleRef,
                Subjects = binding.Subjects,
            }, configNamespace);
        }
    }

    /// <summary>Every request RBAC refused either account so far: deploy/'s rules must be enough here as everywhere.</summary>
    public IReadOnlyList<string> Denials() =>
        [.. Accounts.SelectMany(a => _api.Audit.Of($"system:serviceaccount:{Home}:{a}")).Where(e => !e.Allowed)
            .Select(e => $"{e.User} was denied {e.Verb} {e.Group}/{e.Resource} {e.Namespace}/{e.Name}").Distinct()];
}
