using System.Text;
using CsCheck;
using IronLb.Fuzz.Exercises;
using IronLb.Monitoring.Http;

namespace IronLb.Monitoring.Tests.Http;

/// <summary>
/// The request-head parser is total: any bytes give a head or a reason. Rows are the heads the endpoints' clients
/// send and each refusal; the properties run the fuzz target's own checks on random bytes and near the corpus.
/// </summary>
public sealed class RequestHeadParserTests
{
    private const int Limit = 8 * 1024;

    // Enum names, not values: the enums are internal and a public theory cannot take them.
    public static TheoryData<string, string, string, string, string> Rows() => new()
    {
        { "Prometheus", "GET /metrics HTTP/1.1\r\nHost: 192.0.2.7:7472\r\nUser-Agent: Prometheus/3.0.0\r\nAccept: text/plain;version=0.0.4;q=0.3,*/*;q=0.2\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/metrics" },
        { "kubelet probe", "GET /healthz HTTP/1.1\r\nHost: 192.0.2.7:7473\r\nUser-Agent: kube-probe/1.32\r\nConnection: close\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/healthz" },
        { "HEAD", "HEAD /readyz HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Head), "/readyz" },
        { "another method is a method", "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", nameof(HeadStatus.Complete), nameof(RequestMethod.Other), "/metrics" },
        { "methods are case-sensitive", "get /metrics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Other), "/metrics" },
        { "the query is not the path", "GET /metrics?name[]=up HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/metrics" },
        { "absolute form", "GET http://[2001:db8::7]:7472/metrics?x HTTP/1.1\r\nHost: [2001:db8::7]:7472\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/metrics" },
        { "absolute form without a path", "GET HTTPS://192.0.2.7:7472 HTTP/1.1\r\nHost: 192.0.2.7\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/" },
        { "absolute form with only a query", "GET http://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/" },
        { "HTTP/1.0 needs no Host", "GET /healthz HTTP/1.0\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/healthz" },
        { "bare LF line ends", "GET /healthz HTTP/1.1\nHost: a\n\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/healthz" },
        { "empty lines before the request line", "\r\n\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/healthz" },
        { "Host in any case, empty value, obs-text elsewhere", "GET / HTTP/1.1\r\nhOST:\r\nX-Name: caf\u00e9\t!\r\n\r\n", nameof(HeadStatus.Complete), nameof(RequestMethod.Get), "/" },
        { "nothing yet", "", nameof(HeadStatus.Incomplete), nameof(RequestMethod.Other), "" },
        { "half a request line", "GET /metr", nameof(HeadStatus.Incomplete), nameof(RequestMethod.Other), "" },
        { "no blank line yet", "GET /metrics HTTP/1.1\r\nHost: a\r\n", nameof(HeadStatus.Incomplete), nameof(RequestMethod.Other), "" },
        { "a CR waiting for its LF", "GET /metrics HTTP/1.1\r\nHost: a\r\n\r", nameof(HeadStatus.Incomplete), nameof(RequestMethod.Other), "" },
        { "garbage", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "HTTP/0.9", "GET /metrics\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "two spaces", "GET  /metrics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "a space in the target", "GET /met rics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "a tab instead of a space", "GET\t/metrics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "the method is not a token", "GE(T /metrics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "lower-case version", "GET /metrics http/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "version with three digits", "GET /metrics HTTP/1.11\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "a bare CR in the request line", "GET /metrics\rHTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "refused as soon as the line ends", "BAD LINE\r\n", nameof(HeadStatus.BadRequestLine), nameof(RequestMethod.Other), "" },
        { "HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", nameof(HeadStatus.UnsupportedVersion), nameof(RequestMethod.Other), "" },
        { "asterisk form", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadTarget), nameof(RequestMethod.Other), "" },
        { "authority form", "CONNECT 192.0.2.7:443 HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadTarget), nameof(RequestMethod.Other), "" },
        { "another scheme", "GET ftp://a/metrics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadTarget), nameof(RequestMethod.Other), "" },
        { "absolute form without a host", "GET http:///metrics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadTarget), nameof(RequestMethod.Other), "" },
        { "a byte past ASCII in the target", "GET /m\u00e9trics HTTP/1.1\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadTarget), nameof(RequestMethod.Other), "" },
        { "no colon", "GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "" },
        { "space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "" },
        { "empty name", "GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "" },
        { "folded line", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "" },
        { "NUL in a value", "GET / HTTP/1.1\r\nHost: a\u0000b\r\n\r\n", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "" },
        { "bare CR in a value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", nameof(HeadStatus.BadHeaderLine), nameof(RequestMethod.Other), "" },
        { "HTTP/1.1 without Host", "GET /metrics HTTP/1.1\r\nAccept: */*\r\n\r\n", nameof(HeadStatus.BadHost), nameof(RequestMethod.Other), "" },
        { "two Hosts", "GET /metrics HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", nameof(HeadStatus.BadHost), nameof(RequestMethod.Other), "" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_head_is_parsed_or_refused_with_its_reason(string row, string text, string status, string method, string path)
    {
        var head = RequestHeadParser.Parse(Latin1(text), Limit);

        Assert.True(new RequestHead(Enum.Parse<HeadStatus>(status), Enum.Parse<RequestMethod>(method), path) == head, $"{row}: {head}");
    }

    [Fact]
    public void A_head_that_does_not_end_within_the_limit_is_too_long()
    {
        var head = Latin1("GET /metrics HTTP/1.1\r\nHost: a\r\nX-Long: " + new string('a', 100) + "\r\n\r\n");

        Assert.Equal(HeadStatus.Complete, RequestHeadParser.Parse(head, head.Length).Status);
        Assert.Equal(HeadStatus.TooLong, RequestHeadParser.Parse(head, head.Length - 1).Status);
        Assert.Equal(HeadStatus.TooLong, RequestHeadParser.Parse(head.AsSpan(0, 50), 50).Status);
        Assert.Equal(HeadStatus.Incomplete, RequestHeadParser.Parse(head.AsSpan(0, 49), 50).Status);
        Assert.Equal(HeadStatus.TooLong, RequestHeadParser.Parse(head, 0).Status);
        Assert.Equal(HeadStatus.TooLong, RequestHeadParser.Parse(head, -1).Status);
    }

    [Fact]
    public void Every_prefix_of_a_head_is_unfinished_and_the_whole_is_complete()
    {
        var head = Latin1("GET /metrics HTTP/1.1\r\nHost: 192.0.2.7:7472\r\nAccept: */*\r\n\r\n");
        for (var length = 0; length < head.Length; length++)
        {
            Assert.Equal(HeadStatus.Incomplete, RequestHeadParser.Parse(head.AsSpan(0, length), Limit).Status);
        }

        Assert.Equal(new RequestHead(HeadStatus.Complete, RequestMethod.Get, "/metrics"), RequestHeadParser.Parse(head, Limit));
    }

    [Fact]
    public void Every_row_keeps_the_fuzz_contract()
    {
        foreach (var row in Rows())
        {
            HttpHeadExercise.Run(Latin1(row.Data.Item2));
        }
    }

    [Fact]
    public void Random_bytes_keep_the_contract() =>
        Gen.Byte.Array[0, 200].Sample(bytes => HttpHeadExercise.Run(bytes), iter: 2_000);

    [Fact]
    public void Random_head_shaped_text_keeps_the_contract() =>
        Gen.Char["GETHOSPtp/1.0 :\r\n\t?*\u0000\u00e9hx"].Array[0, 120].Sample(chars => HttpHeadExercise.Run(Latin1(new string(chars))), iter: 2_000);

    [Fact]
    public void Every_kept_fuzz_input_keeps_the_contract()
    {
        var inputs = FuzzCorpus.Inputs("http-head");
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            HttpHeadExercise.Run(bytes);
        }
    }

    [Fact]
    public void Mutated_corpus_inputs_keep_the_contract()
    {
        var inputs = FuzzCorpus.Inputs("http-head");
        Gen.ULong.Sample(seed => HttpHeadExercise.Run(FuzzCorpus.Mutate(inputs, seed)), iter: 1_000);
    }

    /// <summary>One byte per char, so rows can hold bytes past ASCII (as a client may send them).</summary>
    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
