using System.Diagnostics;

namespace IronLb.Speaker.Tests.Network;

/// <summary>The real `ironlb speaker --manifests` running inside a node namespace, its log collected line by line.</summary>
internal sealed class SpeakerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private SpeakerProcess(Process process)
    {
        _process = process;
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

    /// <summary>src/IronLb/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ironlb.dll, built with this project (see the csproj).</summary>
    public static string IronLbDll
    {
        get
        {
            // tests/IronLb.Speaker.Tests/bin/<Configuration>/<tfm>/ -> src/IronLb/bin/<Configuration>/<tfm>/
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var tfm = dir.Name;
            var configuration = dir.Parent!.Name;
            var root = dir.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "IronLb", "bin", configuration, tfm, "ironlb.dll");
        }
    }

    /// <summary>The speaker's pid (ip netns exec replaces itself with dotnet, so it is the speaker's own).</summary>
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

    public static SpeakerProcess Start(string ns, string node, string manifests, params string[] extra)
    {
        var psi = ProcessRunner.StartInfo("ip", ["netns", "exec", ns, "dotnet", IronLbDll, "speaker", "--node", node, "--manifests", manifests, .. extra]);
        var speaker = new SpeakerProcess(new Process { StartInfo = psi });
        speaker._process.Start();
        speaker._process.BeginOutputReadLine();
        speaker._process.BeginErrorReadLine();
        return speaker;
    }

    /// <summary>Waits for a log line containing <paramref name="text"/> at or after line <paramref name="from"/>.</summary>
    public Task WaitForLogAsync(string text, int from = 0) =>
        Eventually.WaitForAsync(
            () =>
            {
                if (_process.HasExited)
                {
                    Assert.Fail($"speaker exited ({_process.ExitCode}) before logging '{text}':\n{Log}");
                }

                lock (_lines)
                {
                    return Task.FromResult(_lines.Skip(from).Any(l => l.Contains(text, StringComparison.Ordinal)));
                }
            },
            $"speaker log line '{text}'",
            TimeSpan.FromSeconds(60),
            () => Task.FromResult(Log));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // A test that stopped the speaker (SIGSTOP) and failed before continuing it: SIGINT alone would wait.
                await ProcessRunner.RunAsync("sh", "-c", $"kill -CONT {_process.Id}").ConfigureAwait(false);

                // SIGINT is Ctrl-C: the speaker stops its responders and exits; the shell's kill needs no procps.
                await ProcessRunner.RunAsync("sh", "-c", $"kill -INT {_process.Id}").ConfigureAwait(false);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
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
