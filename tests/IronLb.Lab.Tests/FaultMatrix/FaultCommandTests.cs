using IronLb.Lab.Commands;
using IronLb.Lab.Operations;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>The lab's fault commands refuse what they cannot do while parsing: nothing runs, no root needed.</summary>
public sealed class FaultCommandTests
{
    public static TheoryData<string[], string> Refused { get; } = new()
    {
        { ["pause", "--name", "t1", "--role", "kubelet"], "kubelet" },
        { ["resume", "--name", "t1"], "--role" },
        { ["controller-replicas", "--name", "t1", "--replicas", "4"], "--replicas must be 0 to 3" },
        { ["controller-replicas", "--name", "t1", "--replicas", "-1"], "--replicas must be 0 to 3" },
        { ["controller-replicas", "--name", "t1"], "--replicas" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refuses_while_parsing(string[] args, string named)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await LabCommandLine.RunAsync(args, output, error);

        Assert.Equal(LabExit.Usage, code);
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }
}
