namespace IronLb.KubeSim.Storage;

/// <summary>The query parameters of a write that change its meaning.</summary>
internal sealed record WriteOptions(bool DryRun = false, string? FieldManager = null, bool Force = false)
{
    public static WriteOptions Default { get; } = new();
}

internal enum PatchKind
{
    Json,
    Merge,
    Strategic,
    Apply,
}
