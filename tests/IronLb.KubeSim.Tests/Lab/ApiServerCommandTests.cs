using System.Diagnostics;

namespace IronLb.KubeSim.Tests.Lab;

public sealed class ApiServerCommandTests
{
    [Fact]
    public async Task Ironlb_lab_apiserver_serves_kubectl_from_the_kubeconfig_it_writes()
    {
        Support.Kubectl.RequireKubectl();
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("kubesim-lab-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig })
        {
            info.ArgumentList.Add(arg);
        }
        using var server = Process.Start(info)!;
        try
        {
            var banner = await server.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct);
            Assert.StartsWith("kubesim listening on http://127.0.0.1:", banner);

            var kubectl = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "get", "namespaces", "--kubeconfig", kubeconfig })
            {
                kubectl.ArgumentList.Add(arg);
            }
            kubectl.Environment["HOME"] = dir;
            using var run = Process.Start(kubectl)!;
            var output = await run.StandardOutput.ReadToEndAsync(ct);
            await run.WaitForExitAsync(ct);

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("kube-system", output);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(ct);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Ironlb_lab_apiserver_refuses_to_listen_anywhere_but_loopback()
    {
        var ct = TestContext.Current.CancellationToken;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), "apiserver", "--listen", "0.0.0.0:6443", "--kubeconfig-out", "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("127.0.0.1", stderr);
    }
}
