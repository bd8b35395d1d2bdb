using System.Diagnostics;
using System.Globalization;

namespace IronLb.Deploy.Tests.Smoke;

/// <summary>
/// A long-running `ironlb controller` or `ironlb speaker`, its stdout and stderr kept line by line for waiting on a log
/// line and for failure messages. Disposing stops it as the kubelet would (SIGTERM, then SIGKILL after a grace).
/// </summary>
internal sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private RunningProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        };
        _process.OutputDataReceived += collect;
        _process.ErrorDataReceived += collect;
    }

    /// <summary>What the process is, for messages ("controller", "speaker node1").</summary>
    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static RunningProcess Start(ProcessStartInfo info, string name)
    {
        info.RedirectStandardInput = false;
        var running = new RunningProcess(new Process { StartInfo = info }, name);
        running._process.Start();
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Waits for a log line containing <paramref name="text"/>; fails at once, with the log, when the process has ended.</summary>
    public Task WaitForLogAsync(string text) =>
        Eventually.WaitForAsync(
            () =>
            {
                AssertRunning($"logging '{text}'");
                lock (_lines)
                {
                    return Task.FromResult(_lines.Any(l => l.Contains(text, StringComparison.Ordinal)));
                }
            },
            $"{Name} to log '{text}'",
            describe: () => Task.FromResult(Log));

    /// <summary>Fails with the log when the process has ended (a crash is what a smoke test is for).</summary>
    public void AssertRunning(string doing)
    {
        if (_process.HasExited)
        {
            Assert.Fail($"{Name} exited ({_process.ExitCode}) before {doing}:\n{Log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The shell's kill: SIGTERM needs no procps, and .NET's Process.Kill only sends SIGKILL.
                await ProcessRunner.RunAsync("sh", "-c", $"kill -TERM {_process.Id.ToString(CultureInfo.InvariantCulture)}");
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(grace.Token);
            }
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
