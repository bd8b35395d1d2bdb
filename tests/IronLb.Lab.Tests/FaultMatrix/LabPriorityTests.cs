using System.Globalization;
using IronLb.Lab.Tests.EndToEnd;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>
/// The matrix judges timings on a host that CI loads with other test assemblies; <see cref="LabPriority"/> keeps the
/// lab ahead of them. This checks that the priority reached the processes whose timing the rows measure.
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
[Collection(Soak.SharedMatrixLab.Name)]
public sealed class LabPriorityTests(MatrixLab lab)
{
    [Fact]
    public async Task The_lab_s_speakers_and_controller_run_at_the_lab_priority()
    {
        Requirements.RootAndTools();
        var status = LabView.Parse(await lab.Lab.OkAsync("status", "--output", "json"));
        var pids = status.Nodes.Select(n => n.SpeakerPid ?? throw new InvalidOperationException($"{n.Name}'s speaker is not running"))
            .Concat(status.ControllerPids).ToList();
        Assert.NotEmpty(status.ControllerPids);
        Assert.All(pids, pid => Assert.Equal(LabPriority.Nice, NiceOf(pid)));
    }

    /// <summary>Field 19 of /proc/PID/stat; the fields are counted after the command name, which may hold spaces.</summary>
    private static int NiceOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], CultureInfo.InvariantCulture);
    }
}
