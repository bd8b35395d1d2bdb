namespace IronLb.Fuzz;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> feeds it the input and throws only when the parser broke its
/// contract (an exception escaped, or an invariant of its answer failed): that is what AFL++ records as a crash.
/// Adding a target is one class like this plus one line in <see cref="FuzzTargets.All"/>; what <see cref="Run"/> does
/// lives in Exercises/, compiled into the owning test project too, so its corpus replay runs the very same checks.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The name on the command line and the folder under fuzz/corpus/.</summary>
    public abstract string Name { get; }

    /// <summary>What is fuzzed, for `list`.</summary>
    public abstract string Description { get; }

    /// <summary>Assemblies to instrument for coverage (their file names in the output folder).</summary>
    public abstract IReadOnlyList<string> Instrument { get; }

    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>
    /// Slow one-time setup of uninstrumented libraries (serializer caches), run before the fuzzer starts so the
    /// first input is not mistaken for a hang. It must not touch the instrumented assemblies.
    /// </summary>
    public virtual void WarmUp()
    {
    }

    /// <summary>
    /// Valid inputs built with the project's own writers (frames, datagrams, watch lines), for `seed`; text
    /// targets also take the repository's example files (run.sh copies those).
    /// </summary>
    public virtual IEnumerable<(string Name, byte[] Bytes)> Seeds() => [];
}
