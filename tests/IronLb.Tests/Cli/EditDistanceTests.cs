using IronLb.CommandLine;

namespace IronLb.Tests.Cli;

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("--output", "--output", 0)]
    [InlineData("--outptu", "--output", 1)] // a swap of neighbours counts once
    [InlineData("--outpt", "--output", 1)]
    [InlineData("--outputt", "--output", 1)]
    [InlineData("--oitput", "--output", 1)]
    [InlineData("--nmae", "--name", 1)]
    [InlineData("--kubeconfgi", "--kubeconfig", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    public void Distance_counts_typing_mistakes(string a, string b, int expected) =>
        Assert.Equal(expected, EditDistance.Between(a, b));

    [Theory]
    [InlineData("--outptu", "--output")]
    [InlineData("--nmae", "--name")]
    [InlineData("--lease-duraton", "--lease-duration")]
    [InlineData("--frobnicate", null)]
    [InlineData("-x", null)] // one letter from "-o", but that is every other letter too
    [InlineData("--node", "--node")]
    [InlineData("--nodse", "--nodes")] // as near to "--node", but a swap keeps the length
    public void Closest_suggests_only_a_likely_typo(string word, string? expected) =>
        Assert.Equal(expected, EditDistance.Closest(word, ["--help", "--lease-duration", "--name", "--node", "--nodes", "--output", "-o"]));
}
