using System.Net;
using IronLb.Bgp.Peering;

namespace IronLb.Bgp.Tests.Peering;

/// <summary>struct tcp_md5sig byte for byte: the kernel takes it as it is, so each field's offset is a row.</summary>
public sealed class TcpMd5OptionTests
{
    public static TheoryData<string, string, string, string> Rows { get; } = new()
    {
        // peer, key, expected sockaddr prefix (hex), why
        { "192.0.2.1", "secret", "0200" + "0000" + "C0000201", "sockaddr_in: AF_INET little-endian, port 0, address in network order" },
        { "2001:db8::1", "k", "0A00" + "0000" + "00000000" + "20010DB8000000000000000000000001", "sockaddr_in6: AF_INET6 = 10, port, flowinfo, address at offset 8" },
        { "::ffff:192.0.2.1", "k", "0A00" + "0000" + "00000000" + "00000000000000000000FFFFC0000201", "a v4-mapped peer stays sockaddr_in6 (an AF_INET6 socket takes nothing else)" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Builds_the_kernel_struct(string peer, string key, string sockaddr, string why)
    {
        var value = TcpMd5Option.Build(IPAddress.Parse(peer), key);

        Assert.Equal(216, value.Length);
        Assert.True(sockaddr == Convert.ToHexString(value, 0, sockaddr.Length / 2), why);
        Assert.All(value[(sockaddr.Length / 2)..128], b => Assert.Equal(0, b));
        Assert.Equal([0, 0], value[128..130]);
        Assert.Equal([(byte)key.Length, 0], value[130..132]);
        Assert.Equal([0, 0, 0, 0], value[132..136]);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(key), value[136..(136 + key.Length)]);
        Assert.All(value[(136 + key.Length)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_longest_key_fills_the_80_bytes()
    {
        var value = TcpMd5Option.Build(IPAddress.Loopback, new string('x', 80));

        Assert.Equal(80, value[130]);
        Assert.All(value[136..], b => Assert.Equal((byte)'x', b));
    }

    [Theory]
    [InlineData(81, "longer than TCP_MD5SIG_MAXKEYLEN")]
    [InlineData(0, "an empty key would delete the key")]
    public void A_key_the_kernel_cannot_take_is_a_clear_error(int length, string why)
    {
        var error = Assert.Throws<ArgumentException>(() => TcpMd5Option.Build(IPAddress.Loopback, new string('x', length)));

        Assert.Contains("1 to 80 bytes", error.Message, StringComparison.Ordinal);
        Assert.NotNull(why);
    }

    [Fact]
    public void Multibyte_characters_count_as_bytes()
    {
        Assert.Throws<ArgumentException>(() => TcpMd5Option.Build(IPAddress.Loopback, new string('é', 41)));
        Assert.Equal(80, TcpMd5Option.Build(IPAddress.Loopback, new string('é', 40))[130]);
    }
}
