using IronLb.Cli;

return IronLbCli.Run(args, Console.Out, Console.Error);
