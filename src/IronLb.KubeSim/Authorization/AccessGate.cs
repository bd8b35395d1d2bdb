using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Http;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Authorization;

/// <summary>
/// What every request passes before it is routed, in kube-apiserver's filter order: authentication (401),
/// impersonation (<c>Impersonate-User</c>/<c>Impersonate-Group</c>, each allowed by the <c>impersonate</c> verb),
/// then authorization (403 with upstream's message). Every decision about a non-admin is audited; with RBAC not
/// enforced a denial is audited but the request still goes through.
/// </summary>
internal sealed class AccessGate(Authenticator authenticator, RbacAuthorizer authorizer, AuthorizationAudit audit, bool enforce)
{
    private const string UserKey = "kubesim.user";
    private const string AttributesKey = "kubesim.attributes";

    public RbacAuthorizer Authorizer => authorizer;

    /// <summary>The user the request acts as (after impersonation), for the access reviews.</summary>
    public static UserInfo UserOf(HttpContext context) => context.Items[UserKey] as UserInfo ?? UserInfo.Admin;

    public void Admit(HttpContext context)
    {
        var request = context.Request;
        var user = authenticator.Authenticate(request) ?? throw new ApiException(401, "Unauthorized", "Unauthorized");
        user = Impersonate(request, user);
        context.Items[UserKey] = user;
        var attributes = RequestAttributes.From(request, user);
        context.Items[AttributesKey] = attributes;
        Decide(attributes);
    }

    /// <summary>
    /// A server-side apply that finds no object creates it, and kube-apiserver then also requires <c>create</c> (with the
    /// object's name, so resourceNames apply), since patch alone must not let anyone create.
    /// </summary>
    public void AdmitCreateOnApply(HttpContext context)
    {
        if (context.Items[AttributesKey] is RequestAttributes patch)
        {
            Decide(patch with { Verb = "create" });
        }
    }

    private void Decide(RequestAttributes attributes)
    {
        var decision = authorizer.Authorize(attributes);
        audit.Record(attributes, decision.Allowed);
        if (!decision.Allowed && enforce)
        {
            throw ApiException.Forbidden(attributes, decision.Reason);
        }
    }

    private UserInfo Impersonate(HttpRequest request, UserInfo user)
    {
        var asUser = request.Headers["Impersonate-User"].ToString();
        var asGroups = request.Headers["Impersonate-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        if (asUser.Length == 0)
        {
            return asGroups.Count == 0
                ? user
                : throw ApiException.Forbidden(new RequestAttributes { User = user, Verb = "impersonate", IsResourceRequest = true, Resource = "users" },
                    "requested groups without impersonating a user");
        }
        var serviceAccount = UserInfo.ServiceAccountOf(asUser);
        Check(serviceAccount is { } sa
            ? new RequestAttributes { User = user, Verb = "impersonate", IsResourceRequest = true, Resource = "serviceaccounts", Namespace = sa.Namespace, Name = sa.Name }
            : new RequestAttributes { User = user, Verb = "impersonate", IsResourceRequest = true, Resource = "users", Name = asUser });
        foreach (var group in asGroups)
        {
            Check(new RequestAttributes { User = user, Verb = "impersonate", IsResourceRequest = true, Resource = "groups", Name = group });
        }
        // Impersonating a ServiceAccount without naming groups gives it its own; everyone impersonated is authenticated.
        List<string> groups = serviceAccount is { } account && asGroups.Count == 0 ? [.. UserInfo.ServiceAccount(account.Namespace, account.Name).Groups] : asGroups;
        if (!groups.Contains(UserInfo.Authenticated))
        {
            groups.Add(UserInfo.Authenticated);
        }
        return new UserInfo(asUser, [.. groups]);
    }

    private void Check(RequestAttributes attributes)
    {
        var decision = authorizer.Authorize(attributes);
        audit.Record(attributes, decision.Allowed);
        if (!decision.Allowed)
        {
            throw ApiException.Forbidden(attributes, decision.Reason);
        }
    }
}
