using System.Text.RegularExpressions;
using IronLb.Lab.Processes;

namespace IronLb.Lab.Tests.Processes;

/// <summary>The lab's speakers run with the runtime environment deploy/speaker.yaml gives a node's, so what the lab measures is what a node runs.</summary>
public sealed partial class SpeakerRuntimeSettingsTests
{
    [Fact]
    public void The_lab_gives_its_speakers_the_DaemonSets_DOTNET_variables()
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "speaker.yaml"));
        var daemonSet = DotnetVariable().Matches(yaml).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

        Assert.NotEmpty(daemonSet);
        Assert.Equal(daemonSet.OrderBy(v => v.Key, StringComparer.Ordinal), SpeakerRuntimeSettings.Environment.OrderBy(v => v.Key, StringComparer.Ordinal));
    }

    [GeneratedRegex("""- name: (?<name>DOTNET_\w+)\s+value: "?(?<value>[^"\s]*)"?""")]
    private static partial Regex DotnetVariable();
}
