using IronLb.Lab.Commands;

// Network namespaces, veth, /proc: the lab is Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// `ironlb-lab <command>`: each command lives in Commands/; LabCommandLine puts them together.
return await LabCommandLine.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
