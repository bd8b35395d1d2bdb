using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim.Authentication;

/// <summary>The TokenRequest subresource (<c>POST /api/v1/namespaces/NS/serviceaccounts/NAME/token</c>, what
/// <c>kubectl create token</c> sends): a new token for the ServiceAccount, with kube-apiserver's defaults and bounds.</summary>
internal static class TokenRequests
{
    private const long DefaultSeconds = 3600;
    private const long MinimumSeconds = 600;

    public static JsonObject Issue(JsonObject? request, StoredObject account, ServiceAccountTokens tokens, DateTimeOffset now)
    {
        var spec = request?["spec"] as JsonObject;
        var seconds = JsonText.Long(spec?["expirationSeconds"]) ?? DefaultSeconds;
        if (seconds < MinimumSeconds)
        {
            throw ApiException.Invalid("TokenRequest", "authentication.k8s.io", account.Name,
                [("spec.expirationSeconds", $"Invalid value: {seconds}: may not specify a duration less than 10 minutes")]);
        }
        var audiences = spec?["audiences"] is JsonArray { Count: > 0 } requested
            ? requested.DeepClone()
            : new JsonArray("https://kubernetes.default.svc.cluster.local");
        var uid = JsonText.Str(account.Object, "metadata", "uid") ?? "";
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = account.Name,
                ["namespace"] = account.Namespace,
                ["creationTimestamp"] = Time.Format(now),
            },
            ["spec"] = new JsonObject
            {
                ["audiences"] = audiences,
                ["expirationSeconds"] = seconds,
                ["boundObjectRef"] = spec?["boundObjectRef"]?.DeepClone(),
            },
            ["status"] = new JsonObject
            {
                ["token"] = tokens.Issue(account.Namespace, account.Name, uid),
                ["expirationTimestamp"] = Time.Format(now.AddSeconds(seconds)),
            },
        };
    }
}
