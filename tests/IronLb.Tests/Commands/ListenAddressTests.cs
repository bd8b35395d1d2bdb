using System.Net;
using IronLb.Monitoring;

namespace IronLb.Tests.Commands;

/// <summary>
/// Where --metrics-address and --health-address listen: as given when given (Go's ":port" still means every
/// interface), otherwise on one address ($METALLB_HOST, the node's, or loopback), never on every interface by default.
/// </summary>
public sealed class ListenAddressTests
{
    public static TheoryData<string, string?, string, int, string> Rows() => new()
    {
        { "not given: the host's port", null, "192.0.2.7", 7472, "192.0.2.7:7472" },
        { "not given, IPv6 host: in brackets", null, "2001:db8::7", 17473, "[2001:db8::7]:17473" },
        { "not given, no host known: loopback", null, "127.0.0.1", 9120, "127.0.0.1:9120" },
        { "given with a host", "198.51.100.1:9000", "192.0.2.7", 7472, "198.51.100.1:9000" },
        { "given as :port: every interface, as asked", ":7472", "192.0.2.7", 7472, ":7472" },
        { "given empty: disabled", "", "192.0.2.7", 7472, "" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Resolves_the_listen_address(string row, string? given, string host, int port, string expected)
    {
        Assert.True(expected == ListenAddress.Resolve(given, IPAddress.Parse(host), port), row);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData(" 2001:db8::7 ", "2001:db8::7")]
    public void Reads_the_host_from_the_environment(string? value, string? expected)
    {
        var host = ListenAddress.FromEnvironment(value, out var error);

        Assert.Null(error);
        Assert.Equal(expected is null ? null : IPAddress.Parse(expected), host);
    }

    [Theory]
    [InlineData("node1.example")]
    [InlineData("192.0.2.7:7472")]
    public void A_host_that_is_not_an_address_is_an_error_naming_the_variable(string value)
    {
        Assert.Null(ListenAddress.FromEnvironment(value, out var error));
        Assert.Contains("$METALLB_HOST", error, StringComparison.Ordinal);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("speaker", "port 7472 on $METALLB_HOST")]
    [InlineData("controller", "port 9120 on $METALLB_HOST")]
    public void Help_says_where_the_endpoints_listen_by_default(string command, string expected)
    {
        var result = CliRunner.Run(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " "), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_parsed_default_is_a_valid_listen_address()
    {
        foreach (var address in new[] { ListenAddress.Format(IPAddress.Parse("192.0.2.7"), 7472), ListenAddress.Format(IPAddress.Parse("2001:db8::7"), 17473) })
        {
            var endpoint = MonitoringServer.ParseAddress(address);
            Assert.NotEqual(IPAddress.Any, endpoint.Address);
            Assert.NotEqual(IPAddress.IPv6Any, endpoint.Address);
        }
    }
}
