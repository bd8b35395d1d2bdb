using IronLb.Cli;
using IronLb.Commands;

namespace IronLb.Tests;

/// <summary>Runs the real `ironlb` command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record CliResult(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static CliResult Run(params string[] args) => Run(new Random(42), args);

    /// <summary>With `plan --probe` answered by <paramref name="probe"/> (no root, no LAN).</summary>
    public static CliResult RunProbing(AddressProbe probe, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = IronLbCli.Run(args, output, error, new Random(42), probe, LanAddressProbe.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static CliResult Run(Random random, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = IronLbCli.Run(args, output, error, random);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary folder of manifests, removed at the end of the test.</summary>
internal sealed class TempManifests : IDisposable
{
    public TempManifests() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ironlb-cli-" + Guid.NewGuid().ToString("N"));

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
