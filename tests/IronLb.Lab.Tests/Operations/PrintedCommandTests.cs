using IronLb.Lab.Operations;

namespace IronLb.Lab.Tests.Operations;

public sealed class PrintedCommandTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("root", "")]
    [InlineData("alice", "sudo ")]
    public void Sudo_comes_first_only_when_another_user_started_the_lab_with_it(string? sudoUser, string prefix) =>
        Assert.Equal(prefix, PrintedCommand.RootPrefixFor(sudoUser));

    [Theory]
    [InlineData("/run/ironlb-lab/demo/kubeconfig", "/run/ironlb-lab/demo/kubeconfig")]
    [InlineData("--node", "--node")]
    [InlineData("2001:db8:3a::443", "2001:db8:3a::443")]
    [InlineData("", "''")]
    [InlineData("/opt/a b/ironlb", "'/opt/a b/ironlb'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$HOME", "'$HOME'")]
    public void Words_are_quoted_only_when_sh_would_read_them_otherwise(string word, string printed) =>
        Assert.Equal(printed, PrintedCommand.Quote(word));

    [Fact]
    public void A_command_reads_back_as_the_same_words() =>
        Assert.Equal("ip netns exec ilab-demo-externalclient arping -c 3 -I ext0 192.0.2.194",
            PrintedCommand.Plain("ip", "netns", "exec", "ilab-demo-externalclient", "arping", "-c", "3", "-I", "ext0", "192.0.2.194"));
}
