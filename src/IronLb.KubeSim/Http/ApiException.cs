using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Http;

/// <summary>A failed request, carried to the HTTP edge where it becomes a <c>Status</c> body exactly as
/// kube-apiserver shapes it (kubectl prints <c>message</c> verbatim; clients branch on <c>reason</c> and <c>code</c>).</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public ApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiException(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public JsonObject ToStatus() => Status(Code, Reason, Message, Details?.DeepClone());

    public static JsonObject Status(int code, string reason, string message, JsonNode? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = code < 300 ? "Success" : "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }
        status["code"] = code;
        return status;
    }

    private static JsonObject DetailsFor(string group, string plural, string? name)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }
        if (group.Length > 0)
        {
            details["group"] = group;
        }
        details["kind"] = plural;
        return details;
    }

    private static string Qualified(string group, string plural) => group.Length == 0 ? plural : $"{plural}.{group}";

    public static ApiException NotFound(string group, string plural, string name) =>
        new(404, "NotFound", $"{Qualified(group, plural)} \"{name}\" not found", DetailsFor(group, plural, name));

    public static ApiException AlreadyExists(string group, string plural, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, plural)} \"{name}\" already exists", DetailsFor(group, plural, name));

    public static ApiException Conflict(string group, string plural, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, plural)} \"{name}\": {why}",
            DetailsFor(group, plural, name));

    public static ApiException StaleObject(string group, string plural, string name) =>
        Conflict(group, plural, name, "the object has been modified; please apply your changes to the latest version and try again");

    /// <summary>422 with one cause per invalid field, the shape of <c>errors.NewInvalid</c>.</summary>
    public static ApiException Invalid(string kind, string group, string name, IReadOnlyList<(string Field, string Message)> causes)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }
        details["kind"] = kind;
        var list = new JsonArray();
        foreach (var (field, message) in causes)
        {
            list.AddNode(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = message, ["field"] = field });
        }
        details["causes"] = list;
        var text = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        var summary = causes.Count == 1 ? text : $"[{text}]";
        return new ApiException(422, "Invalid", $"{kind}{(group.Length > 0 ? "." + group : "")} \"{name}\" is invalid: {summary}", details);
    }

    /// <summary>
    /// 403 worded as kube-apiserver words an authorization denial: <c>services "web" is forbidden: User "…" cannot patch
    /// resource "services/status" in API group "" in the namespace "mail"</c> (the reason, when the authorizer gives one,
    /// follows a colon); a path for non-resource requests.
    /// </summary>
    internal static ApiException Forbidden(Authorization.RequestAttributes request, string reason)
    {
        var denied = !request.IsResourceRequest
            ? $"User \"{request.User.Name}\" cannot {request.Verb} path \"{request.Path}\""
            : $"User \"{request.User.Name}\" cannot {request.Verb} resource \"{request.CombinedResource}\" in API group \"{request.Group}\" "
              + (request.Namespace.Length > 0 ? $"in the namespace \"{request.Namespace}\"" : "at the cluster scope");
        if (reason.Length > 0)
        {
            denied += ": " + reason;
        }
        if (!request.IsResourceRequest)
        {
            return new ApiException(403, "Forbidden", $"forbidden: {denied}", new JsonObject());
        }
        var qualified = Qualified(request.Group, request.Resource);
        var message = request.Name.Length > 0 ? $"{qualified} \"{request.Name}\" is forbidden: {denied}" : $"{qualified} is forbidden: {denied}";
        return new ApiException(403, "Forbidden", message, DetailsFor(request.Group, request.Resource, request.Name.Length > 0 ? request.Name : null));
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {contentType})");

    public static ApiException Expired(string message) => new(410, "Expired", message);
}
