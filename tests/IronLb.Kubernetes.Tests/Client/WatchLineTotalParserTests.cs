using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using IronLb.Fuzz.Exercises;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>
/// The watch-line parser is total: every line gives an event or a reason, and the informer's typed parse refuses
/// only with <see cref="JsonException"/> (it then relists). Rows are lines that used to throw something else.
/// </summary>
public sealed class WatchLineTotalParserTests
{
    [Theory]
    [InlineData("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Service\"}}", "ADDED", null)]
    [InlineData("not json", null, "not JSON")]
    [InlineData("[1,2]", null, "expected a JSON object, got an array")]
    [InlineData("\"ADDED\"", null, "expected a JSON object, got a string")]
    [InlineData("{\"type\":7,\"object\":{}}", null, "no \"type\" string")] // GetString() threw InvalidOperationException
    [InlineData("{\"object\":{}}", null, "no \"type\" string")]
    [InlineData("{\"type\":\"ADDED\"}", null, "the ADDED event has no \"object\" object")] // was passed on as "{}"
    [InlineData("{\"type\":\"ADDED\",\"object\":[]}", null, "no \"object\" object")]
    [InlineData("{\"type\":\"ADDED\",\"object\":{}", null, "not JSON")]
    [InlineData("{\"type\":\"BOOK\",\"o\\ud800bject\":{}}", null, "not JSON text")] // lookup threw InvalidOperationException (fuzz/ watch-line)
    public void A_line_is_an_event_or_a_reason(string line, string? type, string? reason)
    {
        var e = WatchLine.Parse(line, out var error);

        Assert.Equal(type, e?.Type);
        if (reason is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(reason, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nesting_deeper_than_any_object_is_a_reason_not_a_stack_overflow()
    {
        var line = "{\"type\":\"ADDED\",\"object\":" + string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_001);

        Assert.Null(WatchLine.Parse(line, out var error));
        Assert.Contains("depth", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"metadata\":{\"resourceVersion\":\"42\"}}", "42")]
    [InlineData("{\"metadata\":{\"resourceVersion\":42}}", null)] // GetString() threw
    [InlineData("{\"metadata\":[]}", null)]
    [InlineData("[]", null)]
    [InlineData("{\"m\\udc00\":1}", null)]
    public void A_bookmark_version_is_read_only_when_it_is_a_string(string json, string? version) =>
        Assert.Equal(version, WatchLine.ResourceVersion(json));

    [Theory]
    [InlineData("{\"code\":410,\"reason\":\"Expired\",\"message\":\"too old\"}", HttpStatusCode.Gone, "Expired")]
    [InlineData("{\"code\":\"410\",\"reason\":7}", HttpStatusCode.InternalServerError, "")] // reason GetString() threw
    [InlineData("{\"code\":99999}", HttpStatusCode.InternalServerError, "")]
    [InlineData("[]", HttpStatusCode.InternalServerError, "")]
    public void An_error_event_becomes_a_status(string json, HttpStatusCode status, string reason)
    {
        var e = WatchLine.Status(json);

        Assert.Equal(status, e.Status);
        Assert.Equal(reason, e.Reason);
    }

    [Theory]
    [InlineData("{\"metadata\":{\"name\":\"\\ud800\",\"namespace\":\"a\"}}")]
    [InlineData("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"ports\":[{\"port\":1,\"targetPort\":{}}]}}")] // was NotSupportedException
    [InlineData("{\"metadata\":{\"name\":\"a\",\"creationTimestamp\":\"yesterday\"}}")] // was FormatException
    [InlineData("{\"spec\":{\"addresses\":[7]}}")]
    public void A_poison_object_is_refused_with_a_json_exception_only(string json)
    {
        Typed(ResourceTypes.Services, json);
        Typed(ResourceTypes.IpAddressPools("metallb-system"), json);
    }

    [Fact]
    public void Every_kept_fuzz_input_is_read_without_throwing()
    {
        var inputs = FuzzCorpus.Inputs("watch-line");
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Stream(bytes);
        }
    }

    [Fact]
    public void Mutated_corpus_inputs_are_read_without_throwing()
    {
        var inputs = FuzzCorpus.Inputs("watch-line");
        Gen.ULong.Sample(seed => Stream(FuzzCorpus.Mutate(inputs, seed)), iter: 500);
    }

    [Fact]
    public void Random_json_punctuation_is_read_without_throwing() =>
        Gen.Char["{}[]:,\"\\0123456789 tyeobjcADEMLIFNRvsu\n"].Array[0, 160].Sample(chars => Stream(Encoding.UTF8.GetBytes(chars)), iter: 1_000);

    /// <summary>What the informer does with a watch body, line by line: the fuzz target's own exercise.</summary>
    private static void Stream(byte[] body) => WatchLineExercise.Run(body);

    private static void Typed<T>(ResourceType<T> type, string json)
        where T : class => WatchLineExercise.Typed(type, json);
}
