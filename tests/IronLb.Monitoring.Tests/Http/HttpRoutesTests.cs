using System.Text;
using IronLb.Monitoring.Http;

namespace IronLb.Monitoring.Tests.Http;

/// <summary>What each head is answered with, as rows, and how an answer goes on the wire.</summary>
public sealed class HttpRoutesTests
{
    private static readonly HttpRoutes Routes = new(
    [
        new HttpRoute("/healthz", HttpReply.PlainText, () => (200, "ok")),
        new HttpRoute("/readyz", HttpReply.PlainText, () => (503, "not ready")),
        new HttpRoute("/boom", HttpReply.PlainText, () => throw new InvalidOperationException("handler failed")),
    ]);

    // Enum names, not values: the enums are internal and a public theory cannot take them.
    public static TheoryData<string, string, string, string, int, string, bool, string?> Rows() => new()
    {
        { "GET a route", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/healthz", 200, "ok", true, null },
        { "the route's own status", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/readyz", 503, "not ready", true, null },
        { "HEAD: the same, without the body", nameof(HeadStatus.Complete), nameof(RequestMethod.Head), "/readyz", 503, "not ready", false, null },
        { "unknown path", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/metrics", 404, "not found", true, null },
        { "paths are case-sensitive", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/Healthz", 404, "not found", true, null },
        { "a trailing slash is another path", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/healthz/", 404, "not found", true, null },
        { "unknown path, HEAD", nameof(HeadStatus.Complete), nameof(RequestMethod.Head), "/nope", 404, "not found", false, null },
        { "unknown path, other method", nameof(HeadStatus.Complete), nameof(RequestMethod.Other), "/nope", 404, "not found", true, null },
        { "another method on a route", nameof(HeadStatus.Complete), nameof(RequestMethod.Other), "/healthz", 405, "method not allowed", true, "GET, HEAD" },
        { "too long", nameof(HeadStatus.TooLong), nameof(RequestMethod.Other), "", 431, "request head too large", true, null },
        { "another HTTP version", nameof(HeadStatus.UnsupportedVersion), nameof(RequestMethod.Other), "", 505, "only HTTP/1.x is served here", true, null },
        { "bad request line", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "", 400, "bad request", true, null },
        { "bad target", nameof(HeadStatus.BadTarget), nameof(RequestMethod.Other), "", 400, "bad request", true, null },
        { "bad header line", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "", 400, "bad request", true, null },
        { "bad Host", nameof(HeadStatus.BadHost), nameof(RequestMethod.Other), "", 400, "bad request", true, null },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_head_gets_its_answer(string row, string status, string method, string path, int code, string body, bool withBody, string? allow)
    {
        var reply = Routes.Answer(new RequestHead(Enum.Parse<HeadStatus>(status), Enum.Parse<RequestMethod>(method), path));

        Assert.True(new HttpReply(code, HttpReply.PlainText, body, withBody, allow) == reply, $"{row}: {reply}");
    }

    [Fact]
    public void A_handler_that_throws_throws_to_the_listener_which_answers_500()
    {
        var head = new RequestHead(HeadStatus.Complete, RequestMethod.Head, "/boom");

        Assert.Throws<InvalidOperationException>(() => Routes.Answer(head));
        Assert.Equal(new HttpReply(500, HttpReply.PlainText, "internal error", WithBody: false), HttpRoutes.Failed(head));
    }

    [Fact]
    public void An_answer_carries_its_length_type_date_and_closes_the_connection()
    {
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));

        var get = Encoding.UTF8.GetString(new HttpReply(503, "text/plain; version=0.0.4", "caf\u00e9").Encode(now));
        var head = Encoding.UTF8.GetString(new HttpReply(503, "text/plain; version=0.0.4", "caf\u00e9", WithBody: false).Encode(now));
        var refused = Encoding.UTF8.GetString(new HttpReply(405, HttpReply.PlainText, "", Allow: "GET, HEAD").Encode(now));

        const string Head = "HTTP/1.1 503 Service Unavailable\r\nDate: Wed, 02 Jan 2030 01:04:05 GMT\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";
        Assert.Equal(Head + "caf\u00e9", get);
        Assert.Equal(Head, head);
        Assert.Equal("HTTP/1.1 405 Method Not Allowed\r\nDate: Wed, 02 Jan 2030 01:04:05 GMT\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n", refused);
    }
}
