using System.CommandLine;
using System.Text.Json;
using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using IronLb.Lab.Status;

namespace IronLb.Lab.Commands;

/// <summary><c>ironlb-lab status --name NAME [--output json]</c>.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var name = LabOptions.Name();
        var output = new Option<string>("--output", "-o") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("status", "Show a lab: API server, kubeconfig, nodes with their interfaces' MACs and speaker pids, clients, controller, pods with their addresses.")
        {
            name, output,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!await LabOptions.RequireRootAsync().ConfigureAwait(false))
            {
                return LabExit.Failed;
            }

            var labName = result.GetValue(name)!;
            if (await LabOptions.OpenAsync(labName, cancellationToken).ConfigureAwait(false) is not { } session)
            {
                return LabExit.Failed;
            }

            var status = await StatusReader.ReadAsync(session).ConfigureAwait(false);
            if (result.GetValue(output) == "json")
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(status, LabStatusJson.Default.LabStatus)).ConfigureAwait(false);
            }
            else
            {
                var apiserver = session.State.Process(Roles.ApiServer);
                await Console.Out.WriteAsync(StatusTable.Render(labName, status, apiserver is not null && Supervisor.IsAlive(apiserver) ? apiserver.Pid : null)).ConfigureAwait(false);
            }

            return LabExit.Ok;
        });
        return command;
    }
}
