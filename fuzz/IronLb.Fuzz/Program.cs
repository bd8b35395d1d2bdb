using System.Diagnostics;
using SharpFuzz;

namespace IronLb.Fuzz;

/// <summary>
/// ironlb-fuzz: coverage-guided fuzzing of IronLB's parsers (fuzz/README.md).
///   list                          the targets, and the assemblies each wants instrumented
///   instrument TARGET             the assemblies to instrument, one per line (for run.sh)
///   afl TARGET                    run under afl-fuzz (SharpFuzz's out-of-process fork server)
///   libfuzzer TARGET              run under libfuzzer-dotnet
///   replay TARGET PATH...         feed files (or every file of folders) in-process; exit 1 on any failure
///   seed TARGET DIR               write the target's built-in seed inputs into DIR
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["list"])
        {
            foreach (var t in FuzzTargets.All)
            {
                Console.WriteLine($"{t.Name,-22} {t.Description} [{string.Join(' ', t.Instrument)}]");
            }

            return 0;
        }

        if (args.Length < 2 || FuzzTargets.Find(args[1]) is not { } target)
        {
            Console.Error.WriteLine("usage: IronLb.Fuzz list | instrument TARGET | afl TARGET | libfuzzer TARGET | replay TARGET PATH... | seed TARGET DIR");
            Console.Error.WriteLine($"targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
            return 2;
        }

        switch (args[0])
        {
            case "instrument":
                foreach (var assembly in target.Instrument)
                {
                    Console.WriteLine(assembly);
                }

                return 0;
            case "afl":
                // Out of process: a stack overflow or a hang kills the child, which AFL++ then records as a crash.
                target.WarmUp();
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
                });
                return 0;
            case "libfuzzer":
                Fuzzer.LibFuzzer.Run(span => target.Run(span));
                return 0;
            case "replay":
                return Replay(target, args[2..]);
            case "seed" when args.Length == 3:
                Directory.CreateDirectory(args[2]);
                foreach (var (name, bytes) in target.Seeds())
                {
                    File.WriteAllBytes(Path.Combine(args[2], name), bytes);
                }

                return 0;
            default:
                Console.Error.WriteLine($"unknown mode {args[0]}");
                return 2;
        }
    }

    private static int Replay(FuzzTarget target, string[] paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order(StringComparer.Ordinal).ToList();
        var failures = 0;
        var slowest = (File: "", Ms: 0.0);
        foreach (var file in files)
        {
            // Printed before the run, so a stack overflow (which no catch survives) still names its input.
            Console.Error.Write($"{file} ");
            var started = Stopwatch.GetTimestamp();
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.Error.Write('\r');
            }
            catch (Exception e)
            {
                failures++;
                Console.Error.WriteLine();
                Console.WriteLine($"FAIL {file}: {e.GetType().Name}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }

            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (ms > slowest.Ms)
            {
                slowest = (file, ms);
            }
        }

        Console.Error.WriteLine();
        Console.WriteLine($"{target.Name}: {files.Count} inputs, {failures} failures, slowest {slowest.Ms:F0} ms ({slowest.File})");
        return failures == 0 ? 0 : 1;
    }
}
