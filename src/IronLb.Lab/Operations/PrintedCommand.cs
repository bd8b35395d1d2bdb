using System.Text.RegularExpressions;
using IronLb.Lab.Processes;

namespace IronLb.Lab.Operations;

/// <summary>
/// Command lines the lab prints for the user to paste. Each runs as printed, from any directory, in the shell
/// the lab command was started from: programs by the full path they were started with, arguments quoted for
/// sh, and `sudo` in front of those that need root only when that shell is not root's.
/// </summary>
internal static partial class PrintedCommand
{
    /// <summary>"sudo " when another user started us with sudo (their shell is not root), "" in a root shell,
    /// which may have no sudo at all.</summary>
    public static string RootPrefix { get; } = RootPrefixFor(Environment.GetEnvironmentVariable("SUDO_USER"));

    public static string RootPrefixFor(string? sudoUser) => string.IsNullOrEmpty(sudoUser) || sudoUser == "root" ? "" : "sudo ";

    /// <summary>`ironlb-lab ARGS` as this very program was started: its apphost, or the dotnet host and the dll.
    /// What started it once starts it again in the same shell.</summary>
    public static string Lab(params string[] args) => RootPrefix + Join([.. Self(), .. args]);

    /// <summary>A command that needs root (network namespaces).</summary>
    public static string AsRoot(params string[] words) => RootPrefix + Join(words);

    /// <summary>A command any user may run.</summary>
    public static string Plain(params string[] words) => Join(words);

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    /// <summary>A word as sh reads it back: unchanged when it holds nothing special, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && PlainWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string[] Self()
    {
        var host = Environment.ProcessPath;
        var dll = Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll");
        return host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, dll] : [.. Executables.Self()];
    }

    [GeneratedRegex("^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex PlainWord();
}
