using System.Diagnostics;
using System.Text;

namespace IronLb.Testing;

/// <summary>
/// The real kubectl against a kubeconfig (KubeSim's), with its own HOME and cache folder so no discovery or OpenAPI
/// cache leaks between tests (kubectl caches per host:port for six hours). Skips without kubectl, fails in CI.
/// </summary>
public sealed class Kubectl : IDisposable
{
    private readonly string? _kubeconfig;
    private readonly string _home;

    /// <param name="kubeconfig">The cluster to talk to; null for commands that need none (kustomize).</param>
    public Kubectl(string? kubeconfig = null)
    {
        Requirements.Kubectl();
        _kubeconfig = kubeconfig;
        _home = Directory.CreateTempSubdirectory("ironlb-kubectl-").FullName;
    }

    /// <summary>Runs kubectl once with its own HOME and fails the test, with kubectl's output, when it fails.</summary>
    public static async Task<string> OkOnceAsync(string kubeconfig, params string[] args)
    {
        using var kubectl = new Kubectl(kubeconfig);
        return await kubectl.OkAsync(args).ConfigureAwait(false);
    }

    public Task<ProcessResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? hangGuard = null) =>
        ProcessRunner.RunAsync(Info(args), hangGuard ?? ProcessRunner.DefaultHangGuard, stdin, TestContext.Current.CancellationToken);

    public Task<string> OkAsync(params string[] args) => OkWithInputAsync(null, args);

    public async Task<string> OkWithInputAsync(string? stdin, params string[] args)
    {
        var result = await RunAsync(args, stdin).ConfigureAwait(false);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {result}");
        return result.Stdout;
    }

    /// <summary>Starts a long-running kubectl (<c>get -w</c>) whose output can be read while it runs.</summary>
    public Process Start(IEnumerable<string> args)
    {
        var info = Info(args);
        info.RedirectStandardInput = false;
        return Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
    }

    /// <summary>Splits a command line into words as a shell would for the tests' needs: spaces separate, single quotes group.</summary>
    public static IReadOnlyList<string> Words(string commandLine)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in commandLine)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A kubectl still writing its cache; a temp folder is harmless.
        }
    }

    private ProcessStartInfo Info(IEnumerable<string> args)
    {
        var info = ProcessRunner.StartInfo("kubectl", args);
        info.WorkingDirectory = Repository.Root;
        if (_kubeconfig is not null)
        {
            info.ArgumentList.Add("--kubeconfig");
            info.ArgumentList.Add(_kubeconfig);
        }

        info.Environment["HOME"] = _home;
        info.Environment["KUBECACHEDIR"] = Path.Combine(_home, "cache");
        info.Environment.Remove("KUBECONFIG");
        return info;
    }
}
