using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim.Authorization;

/// <summary>The answer to one authorization question; the reason names the binding that allowed it.</summary>
internal sealed record Decision(bool Allowed, string Reason);

/// <summary>
/// The stored Roles, ClusterRoles and bindings read once into an immutable snapshot, evaluated as kube-apiserver's RBAC
/// authorizer does: ClusterRoleBindings grant everywhere, RoleBindings only in their namespace (a ClusterRole bound by a
/// RoleBinding grants its rules in that namespace only), and only allows exist, so order never matters. A ClusterRole
/// with an aggregationRule has the rules of every ClusterRole its selectors match, which kube-controller-manager
/// would have copied in (KubeSim runs no controllers, so the union is taken here).
/// </summary>
internal sealed class RbacPolicy
{
    private readonly ImmutableDictionary<string, ImmutableArray<PolicyRule>> _clusterRoles;
    private readonly ImmutableDictionary<string, ImmutableArray<PolicyRule>> _roles;
    private readonly ImmutableArray<Binding> _clusterBindings;
    private readonly ImmutableArray<Binding> _bindings;

    private sealed record Subject(string Kind, string Name, string Namespace);

    private sealed record Binding(string Namespace, string Name, string RoleKind, string RoleName, ImmutableArray<Subject> Subjects)
    {
        public string Describe(UserInfo user, Subject subject) => Namespace.Length == 0
            ? $"RBAC: allowed by ClusterRoleBinding \"{Name}\" of ClusterRole \"{RoleName}\" to {DescribeSubject(subject, user)}"
            : $"RBAC: allowed by RoleBinding \"{Name}/{Namespace}\" of {RoleKind} \"{RoleName}\" to {DescribeSubject(subject, user)}";

        private static string DescribeSubject(Subject subject, UserInfo user) => subject.Kind == "ServiceAccount"
            ? $"ServiceAccount \"{subject.Name}/{subject.Namespace}\""
            : $"{subject.Kind} \"{(subject.Kind == "User" ? user.Name : subject.Name)}\"";
    }

    public RbacPolicy(IEnumerable<StoredObject> clusterRoles, IEnumerable<StoredObject> roles, IEnumerable<StoredObject> clusterBindings, IEnumerable<StoredObject> bindings)
    {
        var stored = clusterRoles.ToList();
        var own = stored.ToDictionary(r => r.Name, r => Rules(r.Object), StringComparer.Ordinal);
        var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<PolicyRule>>(StringComparer.Ordinal);
        foreach (var role in stored)
        {
            builder[role.Name] = role.Object["aggregationRule"] is JsonObject aggregation
                ? Aggregate(role.Name, aggregation, stored, own)
                : own[role.Name];
        }
        _clusterRoles = builder.ToImmutable();
        _roles = roles.ToImmutableDictionary(r => StoredObject.KeyOf(r.Namespace, r.Name), r => Rules(r.Object), StringComparer.Ordinal);
        _clusterBindings = [.. clusterBindings.Select(ReadBinding)];
        _bindings = [.. bindings.Select(ReadBinding)];
    }

    public static RbacPolicy Empty { get; } = new([], [], [], []);

    public Decision Authorize(RequestAttributes request)
    {
        foreach (var (binding, subject, rules) in Grants(request.User, request.Namespace))
        {
            if (rules.Any(r => r.Allows(request)))
            {
                return new Decision(true, binding.Describe(request.User, subject));
            }
        }
        return new Decision(false, "");
    }

    /// <summary>Every rule that applies to the user in the namespace (cluster-wide grants included), in binding order:
    /// what SelfSubjectRulesReview and <c>kubectl auth can-i --list</c> show.</summary>
    public IEnumerable<PolicyRule> RulesFor(UserInfo user, string ns) =>
        Grants(user, ns).SelectMany(g => g.Rules);

    private IEnumerable<(Binding Binding, Subject Subject, ImmutableArray<PolicyRule> Rules)> Grants(UserInfo user, string ns)
    {
        foreach (var binding in _clusterBindings)
        {
            if (binding.RoleKind == "ClusterRole" && AppliesTo(binding, user) is { } subject && _clusterRoles.TryGetValue(binding.RoleName, out var rules))
            {
                yield return (binding, subject, rules);
            }
        }
        if (ns.Length == 0)
        {
            yield break;
        }
        foreach (var binding in _bindings)
        {
            if (binding.Namespace != ns || AppliesTo(binding, user) is not { } subject)
            {
                continue;
            }
            var rules = binding.RoleKind switch
            {
                "Role" => _roles.GetValueOrDefault(StoredObject.KeyOf(ns, binding.RoleName)),
                "ClusterRole" => _clusterRoles.GetValueOrDefault(binding.RoleName),
                _ => default,
            };
            if (!rules.IsDefault)
            {
                yield return (binding, subject, rules);
            }
        }
    }

    private static Subject? AppliesTo(Binding binding, UserInfo user)
    {
        foreach (var subject in binding.Subjects)
        {
            var applies = subject.Kind switch
            {
                "User" => subject.Name == user.Name,
                "Group" => user.Groups.Contains(subject.Name),
                // A ServiceAccount subject without a namespace means the binding's own namespace.
                "ServiceAccount" => user.Name == UserInfo.ServiceAccount(subject.Namespace.Length > 0 ? subject.Namespace : binding.Namespace, subject.Name).Name,
                _ => false,
            };
            if (applies)
            {
                return subject with { Namespace = subject.Namespace.Length > 0 ? subject.Namespace : binding.Namespace };
            }
        }
        return null;
    }

    private static ImmutableArray<PolicyRule> Aggregate(string self, JsonObject aggregation, List<StoredObject> roles, Dictionary<string, ImmutableArray<PolicyRule>> own)
    {
        var selectors = aggregation["clusterRoleSelectors"] as JsonArray ?? [];
        var rules = ImmutableArray.CreateBuilder<PolicyRule>();
        foreach (var role in roles.Where(r => r.Name != self).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (selectors.Any(s => ObjectSelector.Matches(s as JsonObject, role.Labels)))
            {
                foreach (var rule in own[role.Name].Where(rule => !rules.Contains(rule)))
                {
                    rules.Add(rule);
                }
            }
        }
        return rules.ToImmutable();
    }

    private static ImmutableArray<PolicyRule> Rules(JsonObject role) =>
        role["rules"] is JsonArray rules ? [.. rules.Select(PolicyRule.Parse)] : [];

    private static Binding ReadBinding(StoredObject binding)
    {
        var subjects = binding.Object["subjects"] is JsonArray list
            ? list.Select(s => new Subject(JsonText.Str(s, "kind") ?? "", JsonText.Str(s, "name") ?? "", JsonText.Str(s, "namespace") ?? ""))
            : [];
        return new Binding(binding.Namespace, binding.Name, JsonText.Str(binding.Object, "roleRef", "kind") ?? "",
            JsonText.Str(binding.Object, "roleRef", "name") ?? "", [.. subjects]);
    }
}
