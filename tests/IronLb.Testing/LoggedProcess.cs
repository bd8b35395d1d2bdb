using System.Diagnostics;
using System.Globalization;

namespace IronLb.Testing;

/// <summary>
/// A long-running process (`ironlb controller`, `ironlb speaker`) whose stdout and stderr are kept line by line, for
/// waiting on a log line and for failure messages. Disposing stops it with the given signal, then SIGKILL after a grace.
/// </summary>
public sealed class LoggedProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _stopSignal;
    private readonly List<string> _lines = [];

    private LoggedProcess(Process process, string name, string stopSignal)
    {
        _process = process;
        _stopSignal = stopSignal;
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

    /// <summary>The pid (`ip netns exec` replaces itself with its command, so under it this is the command's own).</summary>
    public int Id => _process.Id;

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

    public int LineCount
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Starts <paramref name="info"/>; disposing sends <paramref name="stopSignal"/> (TERM as the kubelet, INT as Ctrl-C).</summary>
    public static LoggedProcess Start(ProcessStartInfo info, string name, string stopSignal = "TERM")
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardInput = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var running = new LoggedProcess(new Process { StartInfo = info }, name, stopSignal);
        running._process.Start();
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Waits for a log line containing <paramref name="text"/> at or after line <paramref name="from"/>; fails at once, with the log, when the process has ended.</summary>
    public Task WaitForLogAsync(string text, int from = 0, TimeSpan? deadline = null) =>
        Eventually.WaitForAsync(
            () =>
            {
                AssertRunning($"logging '{text}'");
                lock (_lines)
                {
                    return Task.FromResult(_lines.Skip(from).Any(l => l.Contains(text, StringComparison.Ordinal)));
                }
            },
            $"{Name} to log '{text}'",
            deadline,
            () => Task.FromResult(Log));

    /// <summary>Fails with the log when the process has ended (a crash is what these tests are for).</summary>
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
                // A test that froze the process (SIGSTOP) and failed before continuing it: any other signal would wait.
                // The shell's kill needs no procps, and .NET's Process.Kill only sends SIGKILL.
                var pid = _process.Id.ToString(CultureInfo.InvariantCulture);
                await ProcessRunner.RunAsync("sh", "-c", $"kill -CONT {pid}; kill -{_stopSignal} {pid}").ConfigureAwait(false);
                using var grace = new CancellationTokenSource(StopGrace);
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
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
