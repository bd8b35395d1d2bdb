namespace IronLb.Cli;

/// <summary>The exit codes scripts and CI rely on.</summary>
internal static class ExitCodes
{
    /// <summary>No configuration errors and no Warning events.</summary>
    public const int Ok = 0;

    /// <summary>The input was read, and plan found configuration errors or Warning events (or suggest found no address).</summary>
    public const int Findings = 1;

    /// <summary>The input cannot be used: bad command line, missing path, unreadable file, invalid YAML or JSON.</summary>
    public const int UnusableInput = 2;
}
