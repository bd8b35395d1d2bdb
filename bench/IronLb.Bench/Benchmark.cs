namespace IronLb.Bench;

/// <summary>One benchmark the program can run: its name on the command line, what it measures, how to call it.</summary>
/// <param name="Name">What follows the program's name on the command line.</param>
/// <param name="Summary">What it measures, in one line.</param>
/// <param name="Usage">The arguments after the name, as `--help` shows them (empty when it takes none).</param>
/// <param name="Details">One line per option or argument: what it means and its default.</param>
/// <param name="RunAsync">The measurement, given the arguments after the name; returns the exit code.</param>
internal sealed record Benchmark(string Name, string Summary, string Usage, string[] Details, Func<string[], Task<int>> RunAsync)
{
    public void WriteHelp(TextWriter writer)
    {
        writer.WriteLine($"usage: IronLb.Bench {Name}{(Usage.Length == 0 ? "" : " " + Usage)}");
        writer.WriteLine();
        writer.WriteLine(Summary);
        if (Details.Length > 0)
        {
            writer.WriteLine();
            foreach (var line in Details)
            {
                writer.WriteLine($"  {line}");
            }
        }
    }
}
