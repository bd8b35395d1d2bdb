namespace IronLb.Testing.Network;

/// <summary>The real `ironlb speaker --manifests` started inside a node namespace, its log collected line by line.</summary>
public static class SpeakerProcess
{
    /// <summary>
    /// src/IronLb/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ironlb.dll, built with the calling test project (each one that starts the
    /// speaker references src/IronLb with ReferenceOutputAssembly=false).
    /// </summary>
    public static string IronLbDll
    {
        get
        {
            // tests/<Project>/bin/<Configuration>/<tfm>/ -> src/IronLb/bin/<Configuration>/<tfm>/
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var tfm = dir.Name;
            var configuration = dir.Parent!.Name;
            var root = dir.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "IronLb", "bin", configuration, tfm, "ironlb.dll");
        }
    }

    /// <summary>Starts the speaker; disposing it sends SIGINT (Ctrl-C), on which it stops its responders and exits.</summary>
    public static LoggedProcess Start(string ns, string node, string manifests, params string[] extra) =>
        LoggedProcess.Start(
            ProcessRunner.StartInfo("ip", ["netns", "exec", ns, "dotnet", IronLbDll, "speaker", "--node", node, "--manifests", manifests, .. extra]),
            $"speaker {node}",
            stopSignal: "INT");
}
