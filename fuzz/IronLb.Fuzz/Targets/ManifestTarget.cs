using IronLb.Core.Planning;
using IronLb.Manifests;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// The manifest reader on one file's bytes (YAML or JSON by the file name), then Core's planner on what it read:
/// everything `ironlb plan` runs but the printing. Checks that every error names the file.
/// </summary>
internal sealed class ManifestTarget(bool json) : FuzzTarget
{
    private readonly string _file = json ? "fuzz.json" : "fuzz.yaml";

    public override string Name => json ? "manifest-json" : "manifest-yaml";

    public override string Description => json ? "ManifestReader on a .json file" : "ManifestReader on a .yaml file (aliases, merge keys, tags, depth)";

    public override IReadOnlyList<string> Instrument => json ? ["IronLb.Manifests.dll", "IronLb.Core.dll"] : ["IronLb.Manifests.dll", "IronLb.Core.dll", "YamlDotNet.dll"];

    public override void Run(ReadOnlySpan<byte> input)
    {
        var result = ManifestReader.ReadBytes(_file, input.ToArray());
        foreach (var error in result.FatalErrors.Concat(result.Errors))
        {
            if (!string.Equals(error.File, _file, StringComparison.Ordinal))
            {
                throw new ContractViolationException($"an error does not name the file: {error}");
            }

            // The reader's last-resort catch turns its own bugs into this error; for the fuzzer they are crashes.
            if (error.Message.StartsWith(ManifestReader.InternalErrorPrefix, StringComparison.Ordinal))
            {
                throw new ContractViolationException(error.ToString());
            }
        }

        if (result.FatalErrors.IsEmpty)
        {
            _ = ClusterPlanner.Plan(result.Input);
        }
    }
}
