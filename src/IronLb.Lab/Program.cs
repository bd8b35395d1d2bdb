using System.CommandLine;
using IronLb.Lab.Commands;

// Network namespaces, veth, /proc: the lab is Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// `ironlb-lab <command>`: each command lives in Commands/ and adds itself to the root here.
var root = new RootCommand("IronLB lab: a whole IronLB cluster on one Linux machine (KubeSim, node network namespaces, controller, speakers).")
{
    ApiServerCommand.Create(),
    UpCommand.Create(),
    StatusCommand.Create(),
    ProcessCommands.KillSpeaker(),
    ProcessCommands.RestartSpeaker(),
    ProcessCommands.RestartController(),
    DownCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
