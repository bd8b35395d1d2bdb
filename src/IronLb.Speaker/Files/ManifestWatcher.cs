using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Files;

/// <summary>
/// FileSystemWatchers over the manifest paths: a folder is watched recursively, a file through its folder
/// (editors and GitOps tools replace files by rename, which a watch on the file itself would miss). Every
/// event just pokes <paramref name="changed"/>; the speaker debounces and re-reads everything.
/// </summary>
internal sealed class ManifestWatcher(IReadOnlyList<string> paths, Action changed, ILogger logger) : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];

    public void Start()
    {
        foreach (var path in paths)
        {
            try
            {
                _watchers.Add(Create(path));
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // A path that does not exist yet still gets picked up by the periodic re-read.
                Log.WatchFailed(logger, e, path);
            }
        }
    }

    public void Dispose()
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _watchers.Clear();
    }

    private FileSystemWatcher Create(string path)
    {
        var full = Path.GetFullPath(path);
        var watcher = Directory.Exists(full)
            ? new FileSystemWatcher(full) { IncludeSubdirectories = true }
            : new FileSystemWatcher(Path.GetDirectoryName(full) ?? "/", Path.GetFileName(full));
        watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size;
        watcher.Changed += (_, _) => changed();
        watcher.Created += (_, _) => changed();
        watcher.Deleted += (_, _) => changed();
        watcher.Renamed += (_, _) => changed();
        watcher.Error += (_, _) => changed();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
