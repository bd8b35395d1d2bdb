using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim.Authorization;

/// <summary>
/// Authorizes against the RBAC objects as stored right now. <c>system:masters</c> is allowed everything before RBAC is
/// consulted, as kube-apiserver's privileged-group authorizer does. The compiled <see cref="RbacPolicy"/> is reused until
/// an RBAC object changes: each of the four collections is fingerprinted by its size and newest resourceVersion, which
/// any create or update raises and any delete shrinks, so a stale policy is never used.
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store)
{
    private const string Group = "rbac.authorization.k8s.io/";
    private static readonly string[] Collections = [Group + "clusterroles", Group + "roles", Group + "clusterrolebindings", Group + "rolebindings"];

    private sealed record Compiled(string Fingerprint, RbacPolicy Policy);

    // Only read and replaced under the store's lock (inside Read), so no two requests compile at once.
    private Compiled _cached = new("", RbacPolicy.Empty);

    public Decision Authorize(RequestAttributes request) =>
        request.User.IsPrivileged ? new Decision(true, "") : Policy().Authorize(request);

    public IEnumerable<PolicyRule> RulesFor(Authentication.UserInfo user, string ns)
    {
        var rules = Policy().RulesFor(user, ns);
        return user.IsPrivileged
            ? [PolicyRule.Resource(["*"], ["*"], ["*"]), PolicyRule.NonResource(["*"], "*"), .. rules]
            : rules;
    }

    public RbacPolicy Policy()
    {
        return store.Read(tx =>
        {
            var fingerprint = string.Join(',', Collections.Select(key =>
            {
                var items = tx.List(key, null);
                return $"{tx.Count(key)}@{(items.Any() ? items.Max(i => i.ResourceVersion) : 0)}";
            }));
            if (_cached.Fingerprint == fingerprint)
            {
                return _cached.Policy;
            }
            var policy = new RbacPolicy(tx.List(Collections[0], null), tx.List(Collections[1], null), tx.List(Collections[2], null), tx.List(Collections[3], null));
            _cached = new Compiled(fingerprint, policy);
            return policy;
        });
    }
}
