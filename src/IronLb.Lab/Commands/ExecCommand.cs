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
            Description = "A node (cwn1), a LAN's client (external, office), a pod (NAMESPACE/POD, as in `status`) or a host (host-HOST, from `host add`).",
        };
        var words = new Argument<string[]>("command") { Description = "The command and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command inside a node's, a client's, a pod's or a host's network namespace, e.g. a listener or tcpdump on the external client.")
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
            var host = session.State.Hosts.FirstOrDefault(h => $"{Topology.LabNames.HostInfix}{h.Name}" == target);
            if ((session.Plan.NamespaceOf(target) ?? host?.Namespace) is not { } netns)
            {
                var places = session.Plan.Places().Concat(session.State.Hosts.Select(h => $"{Topology.LabNames.HostInfix}{h.Name}"));
                await Console.Error.WriteLineAsync($"ironlb-lab: {target} is no node, client LAN, pod or host of lab {session.State.Name}; one of: {string.Join(", ", places)}").ConfigureAwait(false);
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
