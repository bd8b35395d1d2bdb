using System.Diagnostics;

namespace IronLb.Deploy.Tests;

/// <summary>The real kubectl, with its own HOME and cache so no discovery cache leaks between tests.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string? _kubeconfig;
    private readonly string _home;

    public Kubectl(string? kubeconfig = null)
    {
        Require();
        _kubeconfig = kubeconfig;
        _home = Directory.CreateTempSubdirectory("ironlb-deploy-kubectl-").FullName;
    }

    /// <summary>Skips with the reason when kubectl is missing, but fails on CI so the suite never passes by skipping.</summary>
    public static void Require()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "kubectl")));
        if (found)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("kubectl (1.32) is not installed; .ci/run must install it");
        }

        Assert.Skip("kubectl is not installed; the deploy tests render and apply with the real kubectl 1.32");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (_kubeconfig is not null)
        {
            info.ArgumentList.Add("--kubeconfig");
            info.ArgumentList.Add(_kubeconfig);
        }

        info.Environment["HOME"] = _home;
        info.Environment["KUBECACHEDIR"] = Path.Combine(_home, "cache");
        info.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public async Task<string> OkAsync(params string[] args) => await OkWithInputAsync(null, args);

    public async Task<string> OkWithInputAsync(string? stdin, params string[] args)
    {
        var result = await RunAsync(args, stdin);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {result}");
        return result.Stdout;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A kubectl still writing its cache; a temp directory is harmless.
        }
    }
}
