using IronLb.Bench;
using IronLb.CommandLine;

// One console program for every benchmark: `dotnet run -c Release --project bench/IronLb.Bench -- <name>`.
// Each prints `key: value` lines (medians, p99s, ratios) that docs/performance.md records.
string[] help = ["--help", "-h", "-?"];
if (args.Length == 1 && (help.Contains(args[0]) || args[0] == "help"))
{
    Benchmarks.WriteOverview(Console.Out);
    return 0;
}

if (args.Length == 0)
{
    Benchmarks.WriteOverview(Console.Error);
    return 2;
}

if (Benchmarks.All.FirstOrDefault(b => b.Name == args[0]) is not { } benchmark)
{
    var closest = EditDistance.Closest(args[0], Benchmarks.All.Select(b => b.Name));
    Console.Error.WriteLine($"IronLb.Bench: no benchmark {args[0]}{(closest is null ? "" : $" (did you mean {closest}?)")}");
    Benchmarks.WriteOverview(Console.Error);
    return 2;
}

// Asking for help never starts a measurement, wherever the flag is.
if (args.Skip(1).Any(help.Contains))
{
    benchmark.WriteHelp(Console.Out);
    return 0;
}

return await benchmark.RunAsync(args[1..]).ConfigureAwait(false);
