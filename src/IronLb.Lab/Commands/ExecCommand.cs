using System.CommandLine;
using System.Diagnostics;
using IronLb.Lab.Operations;

namespace IronLb.Lab.Commands;

/// <summary>
/// <c>ironlb-lab exec --name NAME WHERE -- COMMAND…</c>: runs a command inside one of the lab's namespaces (a node,
/// a LAN's client, a pod), with the terminal's stdin and stdout, and exits with its exit code. It is
/// <c>ip netns exec</c> with the namespace looked up, so a listener or a capture needs no name from `status`.
/// </summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var name = LabOptions.Name();
        var where = new Argument<string>("where")
        {
            Description = "A node (cwn1), a LAN's client (external, office) or a pod (NAMESPACE/POD, as in `status`).",
        };
        var words = new Argument<string[]>("command") { Description = "The command and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command inside a node's, a client's or a pod's network namespace, e.g. a listener or tcpdump on the external client.")
        {
            name, where, words,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!await LabOptions.RequireRootAsync().ConfigureAwait(false)
                || await LabOptions.OpenAsync(result.GetValue(name)!, cancellationToken).ConfigureAwait(false) is not { } session)
            {
                return LabExit.Failed;
            }

            var target = result.GetValue(where)!;
            if (session.Plan.NamespaceOf(target) is not { } netns)
            {
                await Console.Error.WriteLineAsync($"ironlb-lab: {target} is no node, client LAN or pod of lab {session.State.Name}; one of: {string.Join(", ", session.Plan.Places())}").ConfigureAwait(false);
                return LabExit.Usage;
            }

            var info = new ProcessStartInfo("ip") { UseShellExecute = false };
            foreach (var word in (string[])["netns", "exec", netns, .. result.GetValue(words)!])
            {
                info.ArgumentList.Add(word);
            }

            using var process = Process.Start(info)!;
            // Ctrl-C reaches the command too (same process group); the lab waits for it to end and passes its code on.
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return process.ExitCode;
        });
        return command;
    }
}
