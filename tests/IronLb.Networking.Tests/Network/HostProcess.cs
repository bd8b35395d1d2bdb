using System.Diagnostics;
using System.Threading.Channels;

namespace IronLb.Networking.Tests.Network;

/// <summary>The TestHost (the real <see cref="Layer2Announcer"/>) running inside a namespace, driven over stdin.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _stderr = [];

    private HostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_stderr)
                {
                    _stderr.Add(line);
                }
            }
        };
    }

    public static string TestHostDll
    {
        get
        {
            // tests/IronLb.Networking.Tests/bin/<Configuration>/<tfm>/ -> tests/IronLb.Networking.TestHost/bin/<Configuration>/<tfm>/
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var tfm = dir.Name;
            var configuration = dir.Parent!.Name;
            var tests = dir.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(tests, "IronLb.Networking.TestHost", "bin", configuration, tfm, "IronLb.Networking.TestHost.dll");
        }
    }

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static Task<HostProcess> StartAsync(string ns, params string[] options) =>
        StartCoreAsync(["netns", "exec", ns, "dotnet", TestHostDll, "serve", .. options]);

    /// <summary>
    /// As root with only <paramref name="capabilities"/> (setpriv's names: net_raw, bpf, …) left in the
    /// bounding set, which is how a pod that drops ALL and adds a few runs its uid-0 process.
    /// </summary>
    public static Task<HostProcess> StartWithCapabilitiesAsync(string ns, string[] capabilities, params string[] options) =>
        StartCoreAsync(["netns", "exec", ns, "setpriv", $"--bounding-set=-all,{string.Join(',', capabilities.Select(c => "+" + c))}", "--inh-caps=-all",
            "dotnet", TestHostDll, "serve", .. options]);

    private static async Task<HostProcess> StartCoreAsync(string[] ipArguments)
    {
        var psi = ProcessRunner.StartInfo("ip", ipArguments);
        var host = new HostProcess(new Process { StartInfo = psi });
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        await host.ExpectAsync("ready").ConfigureAwait(false);
        return host;
    }

    /// <summary>Sends a command and returns its "ready ..." line.</summary>
    public async Task<string> SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        return await ExpectAsync($"ready {command.Split(' ')[0]}").ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> RespondersAsync() =>
        (await SendAsync("responders").ConfigureAwait(false)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];

    /// <summary>Where the kernel answers for the announcer, as "eno2/arp", "eno2/ndp", ….</summary>
    public async Task<IReadOnlyList<string>> KernelRespondersAsync() =>
        (await SendAsync("kernel").ConfigureAwait(false)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];

    public async Task<Dictionary<string, long>> DropsAsync() =>
        (await SendAsync("drops").ConfigureAwait(false)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..]
            .Select(kv => kv.Split('='))
            .ToDictionary(kv => kv[0], kv => long.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGKILL: no shutdown code runs; only what the kernel does when a process dies.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("quit").ConfigureAwait(false);
                await _process.StandardInput.FlushAsync().ConfigureAwait(false);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task<string> ExpectAsync(string prefix)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                if (line == prefix || line.StartsWith(prefix + " ", StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"test host never printed '{prefix}'; exited={_process.HasExited}; stderr:\n{Stderr}");
        }
    }
}
