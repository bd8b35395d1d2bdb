namespace IronLb.Bench;

/// <summary>
/// The files a running process has mapped (/proc/PID/maps): its executable, the assemblies and native
/// libraries it loaded, from its own folder, the shared .NET runtime and the system. What a node really
/// reads to run it, as opposed to what was shipped (<see cref="AppFiles"/>).
/// </summary>
internal static class MappedFiles
{
    /// <summary>Distinct regular files still on disk; memfd regions and deleted files are not files a node stores.</summary>
    public static IReadOnlyList<FileInfo> Of(int pid) =>
        [.. File.ReadLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[4] != "0" && fields[5].StartsWith('/'))
            .Select(fields => fields[5].Trim())
            .Distinct(StringComparer.Ordinal)
            .Where(File.Exists)
            .Select(path => new FileInfo(path))];

    public static double Megabytes(IEnumerable<FileInfo> files) => files.Sum(f => f.Length) / 1048576.0;
}
