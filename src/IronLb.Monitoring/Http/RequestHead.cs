namespace IronLb.Monitoring.Http;

/// <summary>What the bytes received so far say about a request head; every value but the first two is a refusal.</summary>
internal enum HeadStatus
{
    /// <summary>A whole head ending in a blank line: <see cref="RequestHead.Method"/> and <see cref="RequestHead.Path"/> are set.</summary>
    Complete,

    /// <summary>No blank line yet and room for more: read on.</summary>
    Incomplete,

    /// <summary>No blank line within the limit (431).</summary>
    TooLong,

    /// <summary>Not "method SP target SP HTTP/d.d", or a byte that has no place in a request line (400).</summary>
    BadRequestLine,

    /// <summary>The target is not origin-form ("/path?query") or absolute-form ("http://host/path") (400).</summary>
    BadTarget,

    /// <summary>A well-formed version other than HTTP/1.x, such as HTTP/2's connection preface (505).</summary>
    UnsupportedVersion,

    /// <summary>A header line that is not "name: value", a folded line, or a control byte in a value (400).</summary>
    BadHeaderLine,

    /// <summary>HTTP/1.1 without exactly one Host header, as RFC 9112 §3.2 requires of a server (400).</summary>
    BadHost,
}

/// <summary>The methods the endpoints tell apart; any other token is <see cref="Other"/> (405).</summary>
internal enum RequestMethod
{
    Other,
    Get,
    Head,
}

/// <summary>The parser's answer: the status, and for a complete head the method and the path without its query.</summary>
internal readonly record struct RequestHead(HeadStatus Status, RequestMethod Method = RequestMethod.Other, string Path = "");
