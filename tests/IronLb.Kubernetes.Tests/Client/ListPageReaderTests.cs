using System.Text;
using System.Text.Json;
using CsCheck;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>The list reader is total: every answer gives items and metadata, or a <see cref="JsonException"/> naming the list.</summary>
public sealed class ListPageReaderTests
{
    private const string Path = "/api/v1/services";

    [Theory]
    [InlineData("""{"kind":"ServiceList","metadata":{"resourceVersion":"7","continue":"abc"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}""", "7", "abc", "a,b")]
    [InlineData("""{"items":[{"metadata":{"name":"a"}}],"metadata":{"resourceVersion":"8"}}""", "8", null, "a")] // metadata after the items
    [InlineData("""{"metadata":{"resourceVersion":"9","continue":""},"items":null}""", "9", null, "")] // an empty continue is the last page
    [InlineData("""{"metadata":{"resourceVersion":9,"remainingItemCount":3},"items":[]}""", "", null, "")] // a version that is no string is no version
    [InlineData("""{}""", "", null, "")]
    public void An_answer_gives_its_items_and_where_the_list_goes_on(string body, string version, string? next, string names)
    {
        var items = new List<V1Service>();

        var meta = ListPageReader.Read(Encoding.UTF8.GetBytes(body), Path, ResourceTypes.Services.ParseUtf8, items);

        Assert.Equal(version, meta.ResourceVersion);
        Assert.Equal(next, meta.Continue);
        Assert.Equal(names, string.Join(',', items.Select(s => s.Metadata.Name)));
    }

    [Theory]
    [InlineData("[]", "the answer is not a JSON object")]
    [InlineData("", "")]
    [InlineData("""{"metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a"}}""", "")]
    [InlineData("""{"items":"many"}""", "items is a String, not an array")]
    [InlineData("""{"items":[7]}""", "")]
    [InlineData("""{"items":[{"metadata":{"name":"a"},"spec":{"ports":[{"port":1,"targetPort":{}}]}}]}""", "Service could not be read")] // poison item
    [InlineData("""{"items":[{"metadata":{"name":"\ud800"}}]}""", "")]
    public void An_answer_that_cannot_be_read_is_a_json_exception_naming_the_list(string body, string reason)
    {
        var e = Assert.Throws<JsonException>(() => ListPageReader.Read(Encoding.UTF8.GetBytes(body), Path, ResourceTypes.Services.ParseUtf8, []));

        Assert.StartsWith($"list of {Path}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_json_punctuation_is_read_or_refused_with_a_json_exception_only() =>
        Gen.Char["{}[]:,\"\\0123456789 itemsdanuvrolc"].Array[0, 160].Sample(chars =>
        {
            try
            {
                ListPageReader.Read(Encoding.UTF8.GetBytes(chars), Path, ResourceTypes.IpAddressPools("metallb-system").ParseUtf8, []);
            }
            catch (JsonException)
            {
                // A refusal is an answer.
            }
        }, iter: 2_000);
}
