using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace IronLb.KubeSim.Authentication;

/// <summary>
/// The tokens issued through TokenRequest (<c>POST …/serviceaccounts/NAME/token</c>, <c>kubectl create token</c>). A token
/// is bound to the ServiceAccount's uid as kube-apiserver binds it: deleting the account (or recreating it under the
/// same name) ends it. Tokens are opaque random strings, not JWTs: nothing but KubeSim reads them.
/// </summary>
internal sealed class ServiceAccountTokens
{
    private readonly ConcurrentDictionary<string, Holder> _tokens = new(StringComparer.Ordinal);

    /// <summary>Who a token was issued to.</summary>
    public sealed record Holder(string Namespace, string Name, string Uid);

    public string Issue(string ns, string name, string uid)
    {
        var token = "kubesim-sa." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        _tokens[token] = new Holder(ns, name, uid);
        return token;
    }

    public Holder? Find(string token) => _tokens.TryGetValue(token, out var holder) ? holder : null;
}
