using System.Collections.Immutable;

namespace IronLb.KubeSim.Authentication;

/// <summary>Who a request comes from, as kube-apiserver's authenticators name users: a user name and the groups the
/// authorizer matches bindings against (<c>system:authenticated</c> is added to every authenticated user).</summary>
internal sealed record UserInfo(string Name, ImmutableArray<string> Groups)
{
    /// <summary>The group kube-apiserver lets do anything, before and regardless of RBAC.</summary>
    public const string Masters = "system:masters";

    public const string Authenticated = "system:authenticated";

    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The user of the admin kubeconfig (<see cref="KubeSim.Kubeconfig"/>).</summary>
    public static UserInfo Admin { get; } = new("kubernetes-admin", [Masters, Authenticated]);

    public bool IsPrivileged => Groups.Contains(Masters);

    /// <summary><c>system:serviceaccount:NS:NAME</c> in <c>system:serviceaccounts</c> and <c>system:serviceaccounts:NS</c>.</summary>
    public static UserInfo ServiceAccount(string ns, string name) =>
        new($"{ServiceAccountPrefix}{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}", Authenticated]);

    /// <summary>The namespace and name of a ServiceAccount user name; null for any other user.</summary>
    public static (string Namespace, string Name)? ServiceAccountOf(string userName)
    {
        if (!userName.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = userName[ServiceAccountPrefix.Length..].Split(':');
        return parts is [{ Length: > 0 } ns, { Length: > 0 } name] ? (ns, name) : null;
    }

    public bool Equals(UserInfo? other) =>
        other is not null && Name == other.Name && Groups.SequenceEqual(other.Groups, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Name, Groups.Length);

    public override string ToString() => Name;
}
