using System.Globalization;
using System.Text;

namespace IronLb.Monitoring.Http;

/// <summary>
/// One answer, as it goes on the wire: status line, Date, Content-Type, Content-Length, Connection: close (each
/// connection carries one request; the clients, Prometheus and the kubelet, open another for the next), then the
/// body unless the request was HEAD. Content-Length is the body's length in both cases, as for GET.
/// </summary>
internal sealed record HttpReply(int Status, string ContentType, string Body, bool WithBody = true, string? Allow = null)
{
    public const string PlainText = "text/plain";

    public byte[] Encode(DateTimeOffset now)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder(160)
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {Reason(Status)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        if (Allow is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Allow: {Allow}\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return WithBody ? [.. headBytes, .. body] : headBytes;
    }

    /// <summary>RFC 9110's reason phrases for the statuses these endpoints give; clients ignore the phrase.</summary>
    public static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    };
}
