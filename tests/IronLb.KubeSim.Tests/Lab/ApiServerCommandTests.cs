using System.Diagnostics;

namespace IronLb.KubeSim.Tests.Lab;

[Trait("Category", Category.Kubectl)]
public sealed class ApiServerCommandTests
{
    [Fact]
    public async Task Ironlb_lab_apiserver_serves_kubectl_from_the_kubeconfig_it_writes()
    {
        Requirements.Kubectl();
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("kubesim-lab-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var info = ProcessRunner.StartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig]);
        using var server = Process.Start(info)!;
        try
        {
            var banner = await server.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct);
            Assert.StartsWith("kubesim listening on http://127.0.0.1:", banner);

            var output = await Testing.Kubectl.OkOnceAsync(kubeconfig, "get", "namespaces");
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
        var result = await ProcessRunner.RunAsync(
            ProcessRunner.StartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), "apiserver", "--listen", "0.0.0.0:6443", "--kubeconfig-out", "/dev/null"]),
            ProcessRunner.DefaultHangGuard, cancellationToken: ct);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("127.0.0.1", result.Stderr);
    }
}
