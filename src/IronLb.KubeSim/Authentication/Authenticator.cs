using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Storage;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Authentication;

/// <summary>
/// Bearer tokens to users: the admin kubeconfig's token is <c>system:masters</c>; a token from TokenRequest is its
/// ServiceAccount while that account (the same uid) exists. With RBAC enforced anything else is unauthenticated
/// (401, as kube-apiserver with anonymous auth off); without, any other token is the admin, as KubeSim always allowed.
/// </summary>
internal sealed class Authenticator(ObjectService service, ServiceAccountTokens tokens, bool strict)
{
    /// <summary>The admin kubeconfig's token.</summary>
    public const string AdminToken = "kubesim";

    private readonly ResourceType _serviceAccounts = service.Registry.Find("", "v1", "serviceaccounts")!;

    public UserInfo? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (token == AdminToken)
        {
            return UserInfo.Admin;
        }
        if (token is not null && tokens.Find(token) is { } holder)
        {
            return StillExists(holder) ? UserInfo.ServiceAccount(holder.Namespace, holder.Name) : null;
        }
        return strict ? null : UserInfo.Admin;
    }

    private bool StillExists(ServiceAccountTokens.Holder holder) =>
        service.Store.Read(tx => tx.Get(_serviceAccounts.StorageKey, holder.Namespace, holder.Name)) is { } account
        && Json.JsonText.Str(account.Object, "metadata", "uid") == holder.Uid;
}
