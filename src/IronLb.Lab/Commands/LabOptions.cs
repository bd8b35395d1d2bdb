using System.CommandLine;
using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Commands;

/// <summary>What the lab commands share: the lab's name, the root check, opening an existing lab.</summary>
internal static class LabOptions
{
    public static Option<string> Name()
    {
        var option = new Option<string>("--name") { Description = $"The lab's name (1–{LabNames.MaxLabName} of a–z, 0–9).", Required = true };
        option.Validators.Add(result =>
        {
            if (LabNames.TryCreate(result.GetValueOrDefault<string>() ?? "", out var problem) is null)
            {
                result.AddError(problem!);
            }
        });
        return option;
    }

    public static Option<string> Node() => new("--node") { Description = "The node's name (as in `ironlb-lab status`).", Required = true };

    /// <summary>Null when root (network namespaces need it), else prints why and the caller exits.</summary>
    public static async Task<bool> RequireRootAsync()
    {
        if (ProcFs.IsRoot())
        {
            return true;
        }

        await Console.Error.WriteLineAsync("ironlb-lab: this command needs root (network namespaces, veth links): run it with sudo").ConfigureAwait(false);
        return false;
    }

    /// <summary>The lab named <paramref name="name"/>, or null after saying it does not exist.</summary>
    public static async Task<LabSession?> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var session = await LabSession.OpenAsync(LabNames.Create(name), StateStore.DefaultRoot, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: no lab named {name} (no {Path.Combine(StateStore.DefaultRoot, name, "state.json")}); start one with: {PrintedCommand.Lab("up", "--name", name)}").ConfigureAwait(false);
        }

        return session;
    }
}
