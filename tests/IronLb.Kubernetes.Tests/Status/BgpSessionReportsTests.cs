using CsCheck;
using IronLb.Kubernetes.Status;

namespace IronLb.Kubernetes.Tests.Status;

/// <summary>The speaker's BGP sessions annotation: written by the speaker, read by `ironlb status`, total on any text.</summary>
public sealed class BgpSessionReportsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        BgpSessionReport[] sessions =
        [
            new("tor-a", "192.0.2.254:179", BgpSessionReports.Established, Noon, 3, 3, null),
            new("tor-b", "[2001:db8:3a::254]:179", BgpSessionReports.Connecting, Noon.AddMinutes(-1), 0, 3, "Connection refused, \"quoted\"/slashed"),
            new("tor-c", "198.51.100.1:1179", BgpSessionReports.Connecting, null, 0, 0, null),
        ];

        var (read, error) = BgpSessionReports.Parse(BgpSessionReports.Format(sessions));

        Assert.Null(error);
        Assert.Equal(sessions, read);
    }

    [Fact]
    public void No_sessions_is_an_empty_array()
    {
        Assert.Equal("[]", BgpSessionReports.Format([]));
        Assert.Equal((0, (string?)null), (BgpSessionReports.Parse("[]").Sessions.Length, BgpSessionReports.Parse("[]").Error));
    }

    [Theory]
    [InlineData("not JSON", "{", "ironlb.io/bgp-sessions: not JSON")]
    [InlineData("an object, not an array", "{\"peer\":\"a\"}", "ironlb.io/bgp-sessions: expected a JSON array, got Object")]
    [InlineData("an entry that is not an object", "[1]", "ironlb.io/bgp-sessions: entry 0 needs")]
    [InlineData("a missing state", "[{\"peer\":\"a\",\"address\":\"192.0.2.1:179\",\"advertised\":0,\"desired\":0}]", "ironlb.io/bgp-sessions: entry 0 needs")]
    [InlineData("a negative count", "[{\"peer\":\"a\",\"address\":\"192.0.2.1:179\",\"state\":\"Established\",\"advertised\":-1,\"desired\":0}]", "ironlb.io/bgp-sessions: entry 0 needs")]
    [InlineData("a fractional count, second entry", "[{\"peer\":\"a\",\"address\":\"x\",\"state\":\"s\",\"advertised\":0,\"desired\":0},{\"peer\":\"b\",\"address\":\"x\",\"state\":\"s\",\"advertised\":0.5,\"desired\":0}]", "ironlb.io/bgp-sessions: entry 1 needs")]
    [InlineData("a count as a string", "[{\"peer\":\"a\",\"address\":\"x\",\"state\":\"s\",\"advertised\":\"1\",\"desired\":0}]", "ironlb.io/bgp-sessions: entry 0 needs")]
    public void Text_of_another_shape_is_an_error_naming_the_annotation(string desc, string annotation, string expected)
    {
        Assert.NotEmpty(desc);
        var (sessions, error) = BgpSessionReports.Parse(annotation);
        Assert.Empty(sessions);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_since_is_left_out_rather_than_refusing_the_session()
    {
        var (sessions, error) = BgpSessionReports.Parse("[{\"peer\":\"a\",\"address\":\"x\",\"state\":\"Established\",\"since\":\"yesterday\",\"advertised\":1,\"desired\":1}]");
        Assert.Null(error);
        Assert.Null(Assert.Single(sessions).Since);
    }

    [Fact]
    public void Parse_never_throws_on_any_text() =>
        Gen.String.Sample(text =>
        {
            var (sessions, error) = BgpSessionReports.Parse(text);
            return error is not null || sessions.All(s => s.Advertised >= 0 && s.Desired >= 0);
        });
}
