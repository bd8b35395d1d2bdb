using IronLb.KubeSim.Authentication;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim.Authorization;

/// <summary>
/// What a request asks to do, in the terms RBAC rules are written in (kube-apiserver's request info): a verb on a
/// resource (group, resource, subresource, namespace, name) or on a non-resource path (<c>/version</c>, discovery).
/// </summary>
internal sealed record RequestAttributes
{
    public required UserInfo User { get; init; }

    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    /// <summary>The URL path, for non-resource requests.</summary>
    public string Path { get; init; } = "";

    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public string Resource { get; init; } = "";

    public string Subresource { get; init; } = "";

    /// <summary>Empty at the cluster scope.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>Empty for collections, except a list or watch pinned to one name by <c>fieldSelector=metadata.name=…</c>.</summary>
    public string Name { get; init; } = "";

    /// <summary><c>services/status</c>, or <c>services</c> without a subresource: what RBAC rules name.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    /// <summary>Reads the attributes from the path, method and query the way kube-apiserver does, independently of
    /// routing, so a request the router later rejects is still authorized first (as upstream does).</summary>
    public static RequestAttributes From(HttpRequest request, UserInfo user)
    {
        var path = request.Path.Value ?? "/";
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method;
        // Non-resource requests (discovery, /version, /healthz) are authorized by path and the method in lower case.
        var nonResource = new RequestAttributes { User = user, Verb = method.ToLowerInvariant(), Path = path };
        string group, version;
        switch (parts)
        {
            case ["api", var v, _, ..]:
                (group, version, parts) = ("", v, parts[2..]);
                break;
            case ["apis", var g, var v, _, ..]:
                (group, version, parts) = (g, v, parts[3..]);
                break;
            default:
                return nonResource;
        }

        var ns = "";
        if (parts[0] == "namespaces" && parts.Length > 1)
        {
            ns = parts[1];
            // A namespace's own subresources (status, finalize) stay on the namespaces resource.
            if (parts.Length > 2 && parts[2] is not ("status" or "finalize"))
            {
                parts = parts[2..];
            }
        }
        var resource = parts[0];
        var name = parts.Length > 1 ? parts[1] : "";
        var subresource = parts.Length > 2 ? parts[2] : "";
        var verb = method switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        if (name.Length == 0 && verb == "get")
        {
            var watch = request.Query["watch"].ToString();
            verb = watch is "true" or "1" ? "watch" : "list";
            // A list or watch of exactly one name is authorized as that name (resourceNames rules apply).
            name = PinnedName(request.Query["fieldSelector"].ToString()) ?? "";
        }
        else if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }
        return new RequestAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            Path = path,
            Group = group,
            Version = version,
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
        };
    }

    private static string? PinnedName(string fieldSelector)
    {
        foreach (var term in fieldSelector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var at = term.IndexOf('=', StringComparison.Ordinal);
            if (at > 0 && term[at - 1] != '!' && term[..at].Trim() == "metadata.name")
            {
                return term[(at + 1)..].TrimStart('=').Trim();
            }
        }
        return null;
    }
}
