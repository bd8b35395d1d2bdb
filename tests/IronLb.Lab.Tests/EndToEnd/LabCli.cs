using System.Diagnostics;
using System.Text;
using IronLb.Lab.Processes;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>The built `ironlb-lab` as a user runs it, with one lab name per test; <see cref="DisposeAsync"/> runs
/// `down` on every path, and keeps the logs when the test failed.</summary>
internal sealed class LabCli : IAsyncDisposable
{
    public LabCli()
    {
        // Short, unique, no dash: what a lab name may be. The pid keeps concurrent runs apart.
        Name = $"t{Environment.ProcessId % 100000:x}{Random.Shared.Next(0x1000):x3}";
        if (Name.Length > 10)
        {
            Name = Name[..10];
        }
    }

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
        var dll = RepoPaths.IronLbLabDll;
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var info = new ProcessStartInfo(Executables.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--name");
        info.ArgumentList.Add(Name);
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

    /// <summary>The lab's logs, for a failure message.</summary>
    public string Logs()
    {
        if (!Directory.Exists(StateDirectory))
        {
            return "(no state directory)";
        }

        return string.Join('\n', Directory.EnumerateFiles(StateDirectory, "*.log").Order(StringComparer.Ordinal)
            .Select(f => $"== {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(40))}"));
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
