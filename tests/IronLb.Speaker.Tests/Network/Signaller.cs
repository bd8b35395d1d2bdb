using System.Diagnostics;

namespace IronLb.Speaker.Tests.Network;

/// <summary>
/// One long-lived shell that sends signals with its builtin kill: no process start per signal, which on a loaded
/// machine takes longer than the windows the tests time (a hundred milliseconds and more at load average 50).
/// </summary>
internal sealed class Signaller : IAsyncDisposable
{
    private readonly Process _shell;

    private Signaller(Process shell) => _shell = shell;

    public static Signaller Start()
    {
        var shell = new Process { StartInfo = ProcessRunner.StartInfo("sh", []) };
        shell.Start();
        return new Signaller(shell);
    }

    /// <summary>Sends <paramref name="signal"/> (STOP, CONT, …) to <paramref name="pid"/>; returns once the shell has sent it.</summary>
    public async Task SendAsync(string signal, int pid)
    {
        await _shell.StandardInput.WriteLineAsync($"kill -{signal} {pid}; echo sent").ConfigureAwait(false);
        await _shell.StandardInput.FlushAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _shell.StandardOutput.ReadLineAsync(cts.Token).ConfigureAwait(false);
        Assert.True(line == "sent", $"kill -{signal} {pid} did not run: {line}");
    }

    public async ValueTask DisposeAsync()
    {
        _shell.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _shell.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _shell.Kill();
        }

        _shell.Dispose();
    }
}
