using System.Text.Json;

namespace IronLb.Lab.State;

/// <summary>The lab's state file, <c>STATE_DIR/state.json</c>, replaced atomically so a crash never leaves half a file.</summary>
internal sealed class StateStore(string directory)
{
    /// <summary>tmpfs like /run/netns: a reboot removes the state together with the namespaces it describes.</summary>
    public const string DefaultRoot = "/run/ironlb-lab";

    public string Directory { get; } = directory;

    public string Path => System.IO.Path.Combine(Directory, "state.json");

    public bool Exists => File.Exists(Path);

    public async Task<LabState?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return null;
        }

        await using var stream = File.OpenRead(Path);
        return await JsonSerializer.DeserializeAsync(stream, LabStateJson.Default.LabState, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveAsync(LabState state, CancellationToken cancellationToken)
    {
        var temporary = Path + ".tmp";
        await File.WriteAllTextAsync(temporary, Serialize(state), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, Path, overwrite: true);
    }

    public static string Serialize(LabState state) => JsonSerializer.Serialize(state, LabStateJson.Default.LabState);

    public static LabState? Deserialize(string json) => JsonSerializer.Deserialize(json, LabStateJson.Default.LabState);
}
