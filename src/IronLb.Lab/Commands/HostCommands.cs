using System.CommandLine;
using IronLb.Lab.Operations;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Commands;

/// <summary>
/// <c>ironlb-lab host add HOST --name LAB --lan external|office [--address A]…</c> and <c>host del HOST --name LAB</c>:
/// another machine on a client LAN, not part of the cluster (a printer holding a static address, a rogue).
/// </summary>
internal static class HostCommands
{
    public static Command Create() => new("host", "Add or remove another host on a lab LAN (not an IronLB node), e.g. one that already uses an address.")
    {
        Add(), Delete(),
    };

    private static Command Add()
    {
        var name = LabOptions.Name();
        var host = HostArgument();
        var lan = new Option<string>("--lan") { Description = "The LAN it is on.", Required = true };
        lan.AcceptOnlyFromAmong(LabPlan.External, LabPlan.Office);
        var addresses = new Option<string[]>("--address")
        {
            Description = "An address it holds, from the LAN's prefixes (repeatable; IPv6 without DAD).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("add", $"Add a host: netns ilab-LAB-{LabNames.HostInfix}HOST, a veth into the LAN's bridge, a MAC of its own, the addresses, no routes out.")
        {
            host, name, lan, addresses,
        };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, session =>
                HostOperations.AddAsync(session, result.GetValue(host)!, result.GetValue(lan)!, result.GetValue(addresses) ?? []), cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static Command Delete()
    {
        var name = LabOptions.Name();
        var host = HostArgument();
        var command = new Command("del", "Remove a host added with `host add` (its namespace and veth).") { host, name };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, session => HostOperations.DeleteAsync(session, result.GetValue(host)!), cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static Argument<string> HostArgument()
    {
        var host = new Argument<string>("host") { Description = $"The host's name (1–{LabNames.MaxHostName} of a–z, 0–9)." };
        host.Validators.Add(result =>
        {
            if (LabNames.CheckHostName(result.GetValueOrDefault<string>() ?? "") is { } problem)
            {
                result.AddError(problem);
            }
        });
        return host;
    }

    private static async Task<int> WithLabAsync(string name, Func<LabSession, Task<int>> action, CancellationToken cancellationToken)
    {
        if (!await LabOptions.RequireRootAsync().ConfigureAwait(false)
            || await LabOptions.OpenAsync(name, cancellationToken).ConfigureAwait(false) is not { } session)
        {
            return LabExit.Failed;
        }

        try
        {
            return await action(session).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Processes.LabCommandException or IOException)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: {e.Message}").ConfigureAwait(false);
            return LabExit.Failed;
        }
    }
}
