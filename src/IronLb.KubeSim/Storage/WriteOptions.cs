namespace IronLb.KubeSim.Storage;

/// <summary>The query parameters of a write that change its meaning.</summary>
internal sealed record WriteOptions(bool DryRun = false, string? FieldManager = null, bool Force = false)
{
    /// <summary>The manager of a write that names none: the client's User-Agent up to its first '/', as upstream.</summary>
    public string? DefaultManager { get; init; }

    /// <summary>Set for server-side apply, which keeps its own managedFields entry.</summary>
    public bool Applying { get; init; }

    public string Manager => FieldManager ?? DefaultManager ?? "unknown";

    public static WriteOptions Default { get; } = new();
}

internal enum PatchKind
{
    Json,
    Merge,
    Strategic,
    Apply,
}
