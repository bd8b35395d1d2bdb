using System.Diagnostics;

namespace IronLb.KubeSim.Tests.Support;

/// <summary>The kit's kubectl against a KubeSim, taking each command as one line (single quotes group words), as
/// the kubectl tests here read best.</summary>
internal sealed class Kubectl(KubeSim api) : IDisposable
{
    private readonly Testing.Kubectl _kubectl = new(api.Kubeconfig);

    public Task<ProcessResult> RunAsync(string args, string? stdin = null) => _kubectl.RunAsync(Testing.Kubectl.Words(args), stdin);

    /// <summary>Starts a long-running kubectl (for <c>get -w</c>) whose output can be read while it runs.</summary>
    public Process Start(string args) => _kubectl.Start(Testing.Kubectl.Words(args));

    public Task<string> OkAsync(string args, string? stdin = null) => _kubectl.OkWithInputAsync(stdin, [.. Testing.Kubectl.Words(args)]);

    public void Dispose() => _kubectl.Dispose();
}
