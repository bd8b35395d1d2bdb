using System.Diagnostics;
using System.Text;
using IronLb.Lab.Processes;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>The built `ironlb-lab` as a user runs it, with one lab name per test; <see cref="DisposeAsync"/> runs
/// `down` on every path, and keeps the logs when the test failed.</summary>
internal sealed partial class LabCli : IAsyncDisposable
{
    // Labs of test runs that were killed before their `down`: removed once per test process, before its first up.
    private static readonly Lazy<Task> StaleRemoved = new(RemoveStaleAsync);

    public LabCli()
    {
        Category.Require(Category.Lab);
        Name = NewName();
    }

    /// <summary>Short, unique, no dash: what a lab name may be. The owning test process's pid comes first, so a later
    /// run can tell a dead run's labs from a live one's (and remove them).</summary>
    public static string NewName() => $"t{OwnerTag(Environment.ProcessId)}{Random.Shared.Next(0x1000):x3}";

    public string Name { get; }

    public string StateDirectory => Path.Combine("/run/ironlb-lab", Name);

    public bool Down { get; private set; }

    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}";
    }

    public Task<Result> RunAsync(params string[] args) => RunAsync(TimeSpan.FromMinutes(4), args);

    public async Task<Result> RunAsync(TimeSpan limit, params string[] args)
    {
        if (args is ["up", ..])
        {
            await StaleRemoved.Value;

            // The lab shares two cores with the other suites in CI. The ring fences a speaker that stalls (that is its
            // job), so on a starved machine settling can take longer than the 90 s an idle one needs.
            if (!args.Contains("--wait"))
            {
                args = [.. args, "--wait", "200s"];
            }
        }

        var dll = RepoPaths.IronLbLabDll;
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var info = ProcessRunner.StartInfo(Executables.DotnetHost(), [dll, .. args, "--name", Name]);
        info.RedirectStandardInput = false;
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ironlb-lab {string.Join(' ', args)} did not finish within {limit}: {output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new Result(process.ExitCode, output.ToString());
        }
    }

    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"ironlb-lab {string.Join(' ', args)}: {result}");
        return result.Output;
    }

    /// <summary>The lab's logs, for a failure message: the last 60 lines of each.</summary>
    public string Logs() => Logs(DateTime.MinValue);

    /// <summary>
    /// The lab's logs from <paramref name="sinceUtc"/> on (at most 60 lines of each), the speakers' first: a CI page
    /// keeps only the tail of the output, so what a fault did must come before the API server's and controller's history.
    /// A line without a timestamp goes with the line above it.
    /// </summary>
    public string Logs(DateTime sinceUtc)
    {
        if (!Directory.Exists(StateDirectory))
        {
            return "(no state directory)";
        }

        var since = sinceUtc == DateTime.MinValue ? null : sinceUtc.ToString("yyyy-MM-ddTHH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        return string.Join('\n', Directory.EnumerateFiles(StateDirectory, "*.log")
            .OrderBy(f => Path.GetFileName(f).StartsWith("speaker", StringComparison.Ordinal) ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal)
            .Select(f => $"== {Path.GetFileName(f)}\n{string.Join('\n', From(File.ReadLines(f), since).TakeLast(60))}"));
    }

    /// <summary>Every line when <paramref name="since"/> is null; else the lines from the first timestamp at or after it.</summary>
    private static IEnumerable<string> From(IEnumerable<string> lines, string? since)
    {
        var keep = since is null;
        foreach (var line in lines)
        {
            // "2026-12-07T23:20:31.123Z info: ..." (IronLb.Monitoring's console format) compares as text.
            if (since is not null && line.Length > since.Length && char.IsAsciiDigit(line[0]) && line[10] == 'T')
            {
                keep = string.CompareOrdinal(line, 0, since, 0, since.Length) >= 0;
            }

            if (keep)
            {
                yield return line;
            }
        }
    }

    public async Task<Result> DownAsync()
    {
        Down = true;
        return await RunAsync("down");
    }

    public async ValueTask DisposeAsync()
    {
        if (!Down)
        {
            // Reached when the test stopped early: its output keeps the logs that `down` deletes.
            TestContext.Current.TestOutputHelper?.WriteLine($"lab {Name} logs:\n{Logs()}");
            await DownAsync();
        }
    }

    private static string OwnerTag(int pid) => (pid & 0xFFFFF).ToString("x5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>`down` for every test lab (t + owner tag + 3 hex) whose owner tag matches no running process.</summary>
    private static async Task RemoveStaleAsync()
    {
        var live = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Select(n => int.TryParse(n, out var pid) ? OwnerTag(pid) : null).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var namespaces = (await ProcessRunner.RunAsync("ip", "netns", "list")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith("ilab-", StringComparison.Ordinal)).Select(n => n["ilab-".Length..].Split('-')[0]);
        var states = Directory.Exists("/run/ironlb-lab") ? Directory.EnumerateDirectories("/run/ironlb-lab").Select(d => Path.GetFileName(d)!) : [];
        foreach (var name in namespaces.Concat(states).Distinct(StringComparer.Ordinal).Where(n => TestLabName().IsMatch(n) && !live.Contains(n[1..6])))
        {
            await ProcessRunner.RunAsync(Executables.DotnetHost(), RepoPaths.IronLbLabDll, "down", "--name", name);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^t[0-9a-f]{8}$")]
    private static partial System.Text.RegularExpressions.Regex TestLabName();

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
