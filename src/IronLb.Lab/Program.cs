using System.CommandLine;
using IronLb.Lab.Commands;

// `ironlb-lab <command>`: each command lives in Commands/ and adds itself to the root here.
var root = new RootCommand("IronLB lab: a Kubernetes API server and, later, a whole cluster on one machine.")
{
    ApiServerCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
