namespace IronLb.KubeSim;

/// <summary>How a <see cref="KubeSim"/> listens and behaves. The defaults suit tests; a harness adds to a caller's
/// options with <c>options with { EnforceRbac = true }</c>.</summary>
public sealed record KubeSimOptions
{
    /// <summary>The port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>How many events the watch history keeps; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>How often a watch that allows bookmarks gets one (kube-apiserver: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Where to write the kubeconfig; null writes a temporary file that is deleted on dispose.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>The clock for timestamps, ages and bookmarks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// When true, as on a real cluster: a request needs the admin token or a ServiceAccount token from TokenRequest (401
    /// otherwise), and RBAC decides (403 with kube-apiserver's message). When false, any other token is the admin and
    /// denials are only audited (<see cref="KubeSim.Audit"/>); access reviews answer by RBAC either way.
    /// </summary>
    public bool EnforceRbac { get; init; }

    /// <summary>Logs from KubeSim and Kestrel; none when null.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
