using System.Collections.Frozen;

namespace IronLb.Monitoring.Http;

/// <summary>One GET endpoint: its path, its content type and what it answers now (status and text).</summary>
internal sealed record HttpRoute(string Path, string ContentType, Func<(int Status, string Body)> Respond);

/// <summary>
/// The answer to a parsed head, as a table: a known path answers GET and HEAD; an unknown path is 404, another method
/// 405 (with Allow), and each refused head its status. Matching is exact and case-sensitive, as Kestrel's routes were
/// for these paths, and ignores the query.
/// </summary>
internal sealed class HttpRoutes
{
    private const string Allowed = "GET, HEAD";

    private readonly FrozenDictionary<string, HttpRoute> _routes;

    public HttpRoutes(IEnumerable<HttpRoute> routes)
    {
        _routes = routes.ToFrozenDictionary(r => r.Path, StringComparer.Ordinal);
    }

    /// <summary>
    /// The reply to <paramref name="head"/>, which must not be <see cref="HeadStatus.Incomplete"/>. Runs the route's
    /// handler, so it throws what the handler throws (the server answers 500 then).
    /// </summary>
    public HttpReply Answer(RequestHead head)
    {
        switch (head.Status)
        {
            case HeadStatus.Complete:
                break;
            case HeadStatus.TooLong:
                return Refusal(431, "request head too large");
            case HeadStatus.UnsupportedVersion:
                return Refusal(505, "only HTTP/1.x is served here");
            default:
                return Refusal(400, "bad request");
        }

        var withBody = head.Method != RequestMethod.Head;
        if (!_routes.TryGetValue(head.Path, out var route))
        {
            return new HttpReply(404, HttpReply.PlainText, "not found", withBody);
        }

        if (head.Method == RequestMethod.Other)
        {
            return new HttpReply(405, HttpReply.PlainText, "method not allowed", Allow: Allowed);
        }

        var (status, body) = route.Respond();
        return new HttpReply(status, route.ContentType, body, withBody);
    }

    /// <summary>What a handler that threw leaves the client with.</summary>
    public static HttpReply Failed(RequestHead head) =>
        new(500, HttpReply.PlainText, "internal error", head.Method != RequestMethod.Head);

    private static HttpReply Refusal(int status, string body) => new(status, HttpReply.PlainText, body);
}
