using System.Globalization;
using System.Runtime.InteropServices;

namespace IronLb.Testing;

/// <summary>
/// Raises the scheduling priority of this test process and of everything it starts from now on. Linux keeps a nice
/// value per thread and a new thread or child process inherits its creator's, so every thread alive now is reniced,
/// twice over to catch one created during the first pass.
/// </summary>
public static partial class ProcessPriority
{
    private const int PrioProcess = 0;
    private const int Esrch = 3;

    /// <summary>
    /// Sets <paramref name="nice"/> on every thread of this process. Returns null, or why not (without CAP_SYS_NICE a
    /// negative value is refused; the tests then run at the priority they were given).
    /// </summary>
    public static string? Raise(int nice)
    {
        string? problem = null;
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (!uint.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                {
                    continue;
                }

                // A thread that ended since the listing is gone (ESRCH), which is no failure.
                if (SetPriority(PrioProcess, tid, nice) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Esrch)
                {
                    problem ??= $"setpriority({tid}, {nice}) failed: errno {errno}";
                }
            }
        }

        return problem;
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int prio);
}
