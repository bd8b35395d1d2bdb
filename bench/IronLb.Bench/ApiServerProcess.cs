using System.Diagnostics;

namespace IronLb.Bench;

/// <summary>KubeSim as its own process (`ironlb-lab apiserver`), so the benchmark process measures only the client side.</summary>
internal sealed class ApiServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ApiServerProcess(Process process, string kubeconfig)
    {
        _process = process;
        Kubeconfig = kubeconfig;
    }

    public string Kubeconfig { get; }

    public static async Task<ApiServerProcess> StartAsync()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.kubeconfig");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"));
        foreach (var arg in new[] { "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ironlb-lab");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !File.Exists(kubeconfig))
        {
            throw new InvalidOperationException($"ironlb-lab apiserver did not start: {line} {await process.StandardError.ReadToEndAsync()}");
        }

        return new ApiServerProcess(process, kubeconfig);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        File.Delete(Kubeconfig);
    }
}
