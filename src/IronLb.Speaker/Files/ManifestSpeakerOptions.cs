using System.Collections.Immutable;

namespace IronLb.Speaker.Files;

/// <summary>Settings of the file-driven speaker (`ironlb speaker --manifests`).</summary>
public sealed record ManifestSpeakerOptions
{
    /// <summary>This node's name, as in the Node objects.</summary>
    public required string Node { get; init; }

    /// <summary>Manifest files or folders, read as `ironlb plan` reads them.</summary>
    public required ImmutableArray<string> Paths { get; init; }

    /// <summary>Election candidates (--nodes); empty means every Node in the manifests.</summary>
    public ImmutableArray<string> Speakers { get; init; } = [];

    /// <summary>--ignore-exclude-lb: do not drop nodes labelled node.kubernetes.io/exclude-from-external-load-balancers.</summary>
    public bool IgnoreExcludeLabel { get; init; }

    /// <summary>The cluster's service families, primary first, for Services without clusterIPs.</summary>
    public ImmutableArray<string> ClusterFamilies { get; init; } = ["IPv4", "IPv6"];

    /// <summary>
    /// The safety net behind the file watcher (which can miss events: network filesystems, overflow,
    /// a folder created after start): everything is re-read this often anyway.
    /// </summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Watch the paths for changes (on by default); off leaves only the periodic re-read.</summary>
    public bool WatchFiles { get; init; } = true;

    /// <summary>
    /// How long to let a burst of file events settle before re-reading, so a `git pull` touching many files
    /// (or an editor's write-then-rename) is read once, complete.
    /// </summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);
}
