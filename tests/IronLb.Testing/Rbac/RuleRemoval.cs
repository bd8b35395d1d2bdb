using k8s;
using k8s.Models;

namespace IronLb.Testing.Rbac;

/// <summary>
/// The denial rows' driver, shared by the controller's and the speaker's: one (resource, verb) of a component's
/// deploy/rbac rules taken away before it starts, and the text kube-apiserver's 403 carries for it, which the
/// component must log (<see cref="WarningLog"/>) instead of crashing or going quiet.
/// </summary>
public static class RuleRemoval
{
    /// <summary>Where deploy/rbac puts every Role and ServiceAccount.</summary>
    public const string Namespace = "metallb-system";

    /// <summary>What the denial's message says: <c>cannot VERB resource "RESOURCE"</c>.</summary>
    public static string Needle(string verb, string resource) => $"cannot {verb} resource \"{resource}\"";

    /// <summary>
    /// Takes <paramref name="verb"/> away from <paramref name="resource"/> in the ClusterRole or Role
    /// <paramref name="role"/> (deploy/rbac names them after the ServiceAccount). A rule shared with other resources is
    /// split first, so only this one pair is denied.
    /// </summary>
    public static async Task TakeAwayAsync(k8s.Kubernetes admin, string role, string kind, string group, string resource, string verb)
    {
        var rbac = admin.RbacAuthorizationV1;
        IList<V1PolicyRule> rules = kind == "ClusterRole"
            ? (await rbac.ReadClusterRoleAsync(role).ConfigureAwait(false)).Rules
            : (await rbac.ReadNamespacedRoleAsync(role, Namespace).ConfigureAwait(false)).Rules;
        var rule = Assert.Single(rules, r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && r.Verbs.Contains(verb));
        if (rule.Resources.Count > 1)
        {
            rule.Resources = [.. rule.Resources.Where(r => r != resource)];
            rules.Add(new V1PolicyRule { ApiGroups = [group], Resources = [resource], Verbs = [.. rule.Verbs] });
            rule = rules[^1];
        }

        rule.Verbs = [.. rule.Verbs.Where(v => v != verb)];
        var kept = rules.Where(r => r.Verbs.Count > 0).ToList();
        if (kind == "ClusterRole")
        {
            await rbac.ReplaceClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = role }, Rules = kept }, role).ConfigureAwait(false);
        }
        else
        {
            await rbac.ReplaceNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = role, NamespaceProperty = Namespace }, Rules = kept }, role, Namespace).ConfigureAwait(false);
        }
    }
}
