namespace IronLb.Lab.Processes;

/// <summary>
/// The environment deploy/speaker.yaml gives every speaker (tests/IronLb.Lab.Tests checks the two agree).
/// DOTNET_GCGen0MaxBudget caps the GC's gen0 allocation budget at 1 MiB (NativeAOT reads the value as hex, without
/// 0x): the speaker allocates little between collections, and the default budget (6 MiB on the lab's machine, sized
/// from the L3 cache) only kept more dead objects resident. Measured: 6 MB less private memory per speaker, no more
/// CPU (docs/performance.md, "Speaker memory").
/// </summary>
internal static class SpeakerRuntimeSettings
{
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_GCGen0MaxBudget"] = "100000",
    };
}
