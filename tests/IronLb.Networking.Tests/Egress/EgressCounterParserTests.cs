using System.Net.Sockets;
using CsCheck;
using IronLb.Networking.Egress;

namespace IronLb.Networking.Tests.Egress;

public sealed class EgressCounterParserTests
{
    private const string Answer = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
         {"counter": {"family": "inet", "name": "mail/smtpout@ipv4", "table": "ironlb", "handle": 4, "packets": 3, "bytes": 252}},
         {"counter": {"family": "inet", "name": "mail/smtpout@ipv6", "table": "ironlb", "handle": 5, "packets": 0, "bytes": 0}}]}
        """;

    [Fact]
    public void Reads_libnftables_answer() =>
        Assert.Equal(
            new EgressCounterParse(
                [
                    new EgressCounter("mail/smtpout", AddressFamily.InterNetwork, 3, 252),
                    new EgressCounter("mail/smtpout", AddressFamily.InterNetworkV6, 0, 0),
                ],
                0).Counters,
            EgressCounterParser.Parse(Answer).Counters);

    public static TheoryData<string, int, int> Rows => new()
    {
        { "", 0, 1 },
        { "not json", 0, 1 },
        { "[]", 0, 1 },
        { """{"nftables": {}}""", 0, 1 },
        { """{"nftables": []}""", 0, 0 },
        { """{"nftables": [{"counter": {"name": "a/b@ipv4", "table": "ironlb", "packets": 1, "bytes": 2}}]}""", 1, 0 },
        { """{"nftables": [{"counter": {"name": "a/b@ipv5", "packets": 1, "bytes": 2}}]}""", 0, 1 },
        { """{"nftables": [{"counter": {"name": "@ipv4", "packets": 1, "bytes": 2}}]}""", 0, 1 },
        { """{"nftables": [{"counter": {"name": "a/b@ipv4", "packets": -1, "bytes": 2}}]}""", 0, 1 },
        { """{"nftables": [{"counter": {"name": "a/b@ipv4", "packets": "1", "bytes": 2}}]}""", 0, 1 },
        { """{"nftables": [{"counter": {"name": "a/b@ipv4", "table": "filter", "packets": 1, "bytes": 2}}]}""", 0, 1 },
        { """{"nftables": [{"counter": 7}, {"metainfo": {}}, 3]}""", 0, 1 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Counts_what_it_drops(string json, int counters, int dropped)
    {
        var parse = EgressCounterParser.Parse(json);
        Assert.Equal((counters, dropped), (parse.Counters.Length, parse.Dropped));
    }

    [Fact]
    public void Arbitrary_text_never_throws() =>
        Gen.String.Sample(text => _ = EgressCounterParser.Parse(text), iter: 20_000);

    [Fact]
    public void Mutated_answers_never_throw() =>
        Gen.Select(Gen.Int[0, Answer.Length - 1], Gen.Char, Gen.Int[0, Answer.Length]).Sample((at, c, cut) =>
        {
            var text = (Answer[..at] + c + Answer[(at + 1)..])[..cut];
            var parse = EgressCounterParser.Parse(text);
            Assert.True(parse.Dropped >= 0 && parse.Counters.Length <= 2);
        }, iter: 20_000);
}
