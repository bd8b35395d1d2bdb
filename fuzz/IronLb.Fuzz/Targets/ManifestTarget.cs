using IronLb.Fuzz.Exercises;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// The manifest reader on one file's bytes (YAML or JSON by the file name), then Core's planner on what it read
/// (<see cref="ManifestExercise"/>). Checks that every error names the file.
/// </summary>
internal sealed class ManifestTarget(bool json) : FuzzTarget
{
    private readonly string _file = json ? "fuzz.json" : "fuzz.yaml";

    public override string Name => json ? "manifest-json" : "manifest-yaml";

    public override string Description => json ? "ManifestReader on a .json file" : "ManifestReader on a .yaml file (aliases, merge keys, tags, depth)";

    public override IReadOnlyList<string> Instrument => json ? ["IronLb.Manifests.dll", "IronLb.Core.dll"] : ["IronLb.Manifests.dll", "IronLb.Core.dll", "YamlDotNet.dll"];

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (ManifestExercise.Problem(_file, input.ToArray()) is { } problem)
        {
            throw new ContractViolationException(problem);
        }
    }
}
