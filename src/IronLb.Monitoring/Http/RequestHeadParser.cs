using System.Text;

namespace IronLb.Monitoring.Http;

/// <summary>
/// Reads an HTTP/1.x request head (RFC 9112) from the bytes received so far. Total: any bytes give a
/// <see cref="RequestHead"/>, never an exception. Strict where leniency has no client to serve (Prometheus and the
/// kubelet send plain heads): single spaces in the request line, no folded header lines, no whitespace before a
/// header's colon. Only the method and the path matter to the endpoints; header values are checked for bytes
/// that have no place in them and otherwise ignored. Bodies are never read: the connection closes after one answer.
/// </summary>
internal static class RequestHeadParser
{
    /// <summary>
    /// The head in <paramref name="received"/>, or <see cref="HeadStatus.Incomplete"/> while it may still arrive.
    /// Only the first <paramref name="limit"/> bytes count: a head that does not end within them is
    /// <see cref="HeadStatus.TooLong"/>, as is any unfinished head once that many bytes are in.
    /// </summary>
    public static RequestHead Parse(ReadOnlySpan<byte> received, int limit)
    {
        var rest = received.Length > limit ? received[..Math.Max(limit, 0)] : received;

        // RFC 9112 §2.2: a server should ignore empty lines before the request line (left over from a previous body).
        while (!rest.IsEmpty && (rest[0] == (byte)'\n' || (rest[0] == (byte)'\r' && rest.Length > 1 && rest[1] == (byte)'\n')))
        {
            rest = rest[(rest[0] == (byte)'\r' ? 2 : 1)..];
        }

        if (!TakeLine(ref rest, out var requestLine))
        {
            return Unfinished(received.Length, limit);
        }

        var start = ParseRequestLine(requestLine, out var method, out var path, out var http11);
        if (start != HeadStatus.Complete)
        {
            return new RequestHead(start);
        }

        var hosts = 0;
        while (TakeLine(ref rest, out var line))
        {
            if (line.IsEmpty)
            {
                // RFC 9112 §3.2: HTTP/1.1 needs exactly one Host; no version may carry two.
                return hosts > 1 || (http11 && hosts == 0) ? new RequestHead(HeadStatus.BadHost) : new RequestHead(HeadStatus.Complete, method, path);
            }

            if (!IsHeaderLine(line, out var isHost))
            {
                return new RequestHead(HeadStatus.BadHeaderLine);
            }

            hosts += isHost ? 1 : 0;
        }

        return Unfinished(received.Length, limit);
    }

    private static RequestHead Unfinished(int received, int limit) =>
        new(received >= limit ? HeadStatus.TooLong : HeadStatus.Incomplete);

    /// <summary>The next line without its LF (and a CR before it); false while no LF has arrived.</summary>
    private static bool TakeLine(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            line = default;
            return false;
        }

        line = end > 0 && rest[end - 1] == (byte)'\r' ? rest[..(end - 1)] : rest[..end];
        rest = rest[(end + 1)..];
        return true;
    }

    private static HeadStatus ParseRequestLine(ReadOnlySpan<byte> line, out RequestMethod method, out string path, out bool http11)
    {
        method = RequestMethod.Other;
        path = "";
        http11 = false;
        var space = line.IndexOf((byte)' ');
        if (space <= 0 || !IsToken(line[..space]))
        {
            return HeadStatus.BadRequestLine;
        }

        var methodBytes = line[..space];
        var afterMethod = line[(space + 1)..];
        space = afterMethod.IndexOf((byte)' ');
        if (space <= 0)
        {
            return HeadStatus.BadRequestLine;
        }

        var target = afterMethod[..space];
        var version = afterMethod[(space + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5]) || version[6] != (byte)'.' || !char.IsAsciiDigit((char)version[7]))
        {
            return HeadStatus.BadRequestLine;
        }

        if (version[5] != (byte)'1')
        {
            return HeadStatus.UnsupportedVersion;
        }

        if (!TryPath(target, out path))
        {
            return HeadStatus.BadTarget;
        }

        method = methodBytes.SequenceEqual("GET"u8) ? RequestMethod.Get : methodBytes.SequenceEqual("HEAD"u8) ? RequestMethod.Head : RequestMethod.Other;
        http11 = version[7] != (byte)'0';
        return HeadStatus.Complete;
    }

    /// <summary>
    /// The path of an origin-form target ("/metrics?x=1" → "/metrics"), or of an absolute-form one, which RFC 9112
    /// §3.2.2 says a server must accept ("http://host:9120/metrics" → "/metrics"; no path → "/").
    /// </summary>
    private static bool TryPath(ReadOnlySpan<byte> target, out string path)
    {
        path = "";
        foreach (var b in target)
        {
            if (b is <= 0x20 or >= 0x7F)
            {
                return false;
            }
        }

        if (target.IsEmpty)
        {
            return false;
        }

        if (target[0] != (byte)'/')
        {
            var scheme = target.IndexOf("://"u8);
            if (scheme < 0 || !(Ascii.EqualsIgnoreCase(target[..scheme], "http"u8) || Ascii.EqualsIgnoreCase(target[..scheme], "https"u8)))
            {
                return false;
            }

            var afterScheme = target[(scheme + 3)..];
            var authority = afterScheme.IndexOfAny((byte)'/', (byte)'?');
            if (authority == 0 || afterScheme.IsEmpty)
            {
                return false;
            }

            target = authority < 0 ? "/"u8 : afterScheme[authority] == (byte)'/' ? afterScheme[authority..] : "/"u8;
        }

        var query = target.IndexOf((byte)'?');
        path = Encoding.ASCII.GetString(query < 0 ? target : target[..query]);
        return true;
    }

    /// <summary>"name: value" (RFC 9110 §5): a token, a colon with nothing before it, and a value of visible bytes, spaces and tabs.</summary>
    private static bool IsHeaderLine(ReadOnlySpan<byte> line, out bool isHost)
    {
        isHost = false;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !IsToken(line[..colon]))
        {
            // Also a line starting with a space or tab: obsolete folding, which a server may refuse (RFC 9112 §5.2).
            return false;
        }

        foreach (var b in line[(colon + 1)..])
        {
            // obs-text (0x80-0xFF) is allowed in values; controls other than tab are not (a bare CR among them).
            if (b != (byte)'\t' && (b < 0x20 || b == 0x7F))
            {
                return false;
            }
        }

        isHost = Ascii.EqualsIgnoreCase(line[..colon], "Host"u8);
        return true;
    }

    /// <summary>RFC 9110 §5.6.2: one or more tchar.</summary>
    private static bool IsToken(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b)))
            {
                return false;
            }
        }

        return true;
    }
}
