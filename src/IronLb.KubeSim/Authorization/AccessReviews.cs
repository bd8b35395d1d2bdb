using System.Text.Json.Nodes;
using IronLb.KubeSim.Authentication;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Authorization;

/// <summary>
/// SelfSubjectAccessReview (<c>kubectl auth can-i VERB RESOURCE</c>) and SelfSubjectRulesReview (<c>kubectl auth can-i
/// --list</c>), answered for the requesting user (the impersonated one under <c>--as</c>) by the same authorizer that
/// guards requests, so the answers are exactly what the user's requests would meet.
/// </summary>
internal static class AccessReviews
{
    public static JsonObject AccessReview(JsonObject review, UserInfo user, RbacAuthorizer authorizer)
    {
        var spec = review["spec"] as JsonObject;
        RequestAttributes attributes = spec?["resourceAttributes"] is JsonObject resource
            ? new RequestAttributes
            {
                User = user,
                Verb = JsonText.Str(resource, "verb") ?? "",
                IsResourceRequest = true,
                Group = JsonText.Str(resource, "group") ?? "",
                Version = JsonText.Str(resource, "version") ?? "",
                Resource = JsonText.Str(resource, "resource") ?? "",
                Subresource = JsonText.Str(resource, "subresource") ?? "",
                Namespace = JsonText.Str(resource, "namespace") ?? "",
                Name = JsonText.Str(resource, "name") ?? "",
            }
            : new RequestAttributes
            {
                User = user,
                Verb = JsonText.Str(spec, "nonResourceAttributes", "verb") ?? "",
                Path = JsonText.Str(spec, "nonResourceAttributes", "path") ?? "",
            };
        var decision = authorizer.Authorize(attributes);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }
        review["status"] = status;
        return review;
    }

    public static JsonObject RulesReview(JsonObject review, UserInfo user, RbacAuthorizer authorizer)
    {
        var ns = JsonText.Str(review, "spec", "namespace") ?? "";
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in authorizer.RulesFor(user, ns))
        {
            if (!rule.Resources.IsEmpty)
            {
                resourceRules.AddNode((rule with { NonResourceUrls = [] }).ToJson());
            }
            if (!rule.NonResourceUrls.IsEmpty)
            {
                nonResourceRules.AddNode((rule with { ApiGroups = [], Resources = [], ResourceNames = [] }).ToJson());
            }
        }
        review["status"] = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            ["incomplete"] = false,
        };
        return review;
    }
}
