using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;

namespace IronLb.Deploy.Tests;

/// <summary>
/// deploy/Dockerfile's build step without a container engine: its build-stage COPY lines applied to a temp
/// folder (honouring deploy/Dockerfile.dockerignore), its `dotnet publish` line run there for this machine's
/// architecture, and the files its last stage copies laid out under a temp "image root" as the image would
/// hold them. Published once per test run (<see cref="SharedPublish"/>: ImageTests and AotSmokeTests
/// share it); everything lives in one temp folder deleted afterwards.
/// </summary>
/// <remarks>
/// A copy rather than the repository itself: the publish then sees exactly the files the image build sees,
/// so a project reaching outside the copied paths fails here as it would in `docker build`, and its
/// Release bin/obj never land in the shared tree. The copy is about 3 MB; the publish (restore from the
/// warm package cache, a Release build of src/, then the NativeAOT compiler over the whole program and the link)
/// is what takes the time: about five minutes on 2 cores shared with other builds, most of it ILC.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed partial class PublishedImage : IAsyncLifetime
{
    /// <summary>The runtime-deps image's PATH; each entry is re-rooted under <see cref="ImageRoot"/>.</summary>
    private const string ContainerPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private const UnixFileMode ReadAndEnter = (UnixFileMode)0b111_101_101;
    private const UnixFileMode ReadOnly = (UnixFileMode)0b110_100_100;

    private string? _temp;

    internal DockerfileSpec? Spec { get; private set; }

    internal ProcessResult? Publish { get; private set; }

    /// <summary>Why the image could not be built; null when it was.</summary>
    internal string? Problem { get; private set; }

    /// <summary>What this machine lacks to publish at all (a C toolchain for NativeAOT's link); null when nothing.</summary>
    internal string? Missing { get; private set; }

    internal string PublishOutput => Path.Combine(_temp!, "out");

    /// <summary>A folder standing for the image's `/`, holding only what the last stage copies.</summary>
    internal string ImageRoot => Path.Combine(_temp!, "image");

    /// <summary>A copy of examples/campus that any user can read (the repository may sit in a folder uid 65534 cannot enter).</summary>
    internal string Campus => Path.Combine(_temp!, "campus");

    internal string ImagePath => string.Join(':', ContainerPath.Split(':').Select(d => ImageRoot + d));

    /// <summary>The ENTRYPOINT's program found on the image's PATH, as the container runtime finds it.</summary>
    internal string? EntrypointProgram => Spec is null
        ? null
        : ImagePath.Split(':').Select(d => Path.Combine(d, Spec.Entrypoint[0])).FirstOrDefault(File.Exists);

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        _temp = Directory.CreateTempSubdirectory("ironlb-image-").FullName;
        try
        {
            var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Deploy, "Dockerfile"), cancellationToken);
            Spec = DockerfileSpec.Parse(dockerfile, DockerfileSpec.TargetArch);
        }
        catch (InvalidDataException e)
        {
            Problem = "deploy/Dockerfile: " + e.Message;
            return;
        }

        // The SDK image gets clang from the Dockerfile's own RUN step, which the test does not run; this machine needs one.
        if (Requirements.FindOnPath("clang") is null && Requirements.FindOnPath("gcc") is null)
        {
            Missing = "publishing NativeAOT needs clang (or gcc) on PATH to link, as deploy/Dockerfile installs it";
            return;
        }

        var context = Path.Combine(_temp, "context");
        var ignore = await File.ReadAllLinesAsync(Path.Combine(RepoPaths.Deploy, "Dockerfile.dockerignore"), cancellationToken);
        try
        {
            BuildContext.Copy(RepoPaths.Root, context, Spec.ContextCopies, ignore);
        }
        catch (InvalidDataException e)
        {
            Problem = e.Message;
            return;
        }

        // As the SDK image's build shell runs it: no MSBuild state from the test host, no node left behind.
        var info = ProcessRunner.DotnetStartInfo(Spec.PublishWords[0], Spec.PublishArguments(PublishOutput));
        info.WorkingDirectory = context;
        // The one change to the build: no code analyzers (MSBuild reads the variable as the RunAnalyzers property).
        // They only report, never change the output, and the solution build has already run every one of them
        // with warnings as errors. Source generators still run.
        info.Environment["RunAnalyzers"] = "false";
        // A hang guard, not a speed limit: a 2-core machine shared with seven other builds once took over 10 minutes
        // for the (then ReadyToRun) compilation step alone.
        Publish = await ProcessRunner.RunAsync(info, TimeSpan.FromMinutes(30), cancellationToken: cancellationToken);
        if (Publish.ExitCode != 0)
        {
            Problem = $"deploy/Dockerfile's publish step failed (from {context}):\n{Publish}";
            return;
        }

        foreach (var copy in Spec.ImageCopies)
        {
            var source = Path.Combine(PublishOutput, Path.GetRelativePath(Spec.PublishOutput, copy.Source));
            if (!File.Exists(source))
            {
                Problem = $"the image copies {copy.Source}, which the publish did not write; it wrote: {string.Join(", ", Listing(PublishOutput))}";
                return;
            }

            var destination = ImageRoot + copy.Destination;
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
        }

        CopyTree(Path.Combine(RepoPaths.Root, "examples", "campus"), Campus);

        // COPY writes root-owned 0755 folders and keeps the file's mode; the temp folder itself is 0700.
        // Let uid 65534 in, read-only, as in the image.
        File.SetUnixFileMode(_temp, ReadAndEnter);
        foreach (var root in new[] { ImageRoot, Campus })
        {
            foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
            {
                File.SetUnixFileMode(dir, ReadAndEnter);
            }

            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(file, (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0 ? ReadAndEnter : ReadOnly);
            }
        }
    }

    /// <summary>
    /// A container's environment: the image's PATH (re-rooted, so no dotnet on it), HOME from its passwd, its ENV, and
    /// nothing from this machine. <paramref name="program"/> runs from `/`.
    /// </summary>
    internal ProcessStartInfo ContainerStartInfo(string program, IEnumerable<string> args)
    {
        var info = ProcessRunner.StartInfo(program, args);
        info.WorkingDirectory = "/";

        info.Environment.Clear();
        info.Environment["PATH"] = ImagePath;
        info.Environment["HOSTNAME"] = "ironlb-image-test";
        info.Environment["HOME"] = "/nonexistent";
        // runtime-deps:10.0's own ENV lines.
        info.Environment["APP_UID"] = "1654";
        info.Environment["ASPNETCORE_HTTP_PORTS"] = "8080";
        info.Environment["DOTNET_RUNNING_IN_CONTAINER"] = "true";
        foreach (var (name, value) in Spec!.Env)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>The ENTRYPOINT's program as the image holds it; fails the calling test when the image could not be built or lacks it.</summary>
    internal string RequireEntrypoint()
    {
        var spec = Require();
        return EntrypointProgram
            ?? throw new Xunit.Sdk.XunitException($"ENTRYPOINT {spec.Entrypoint[0]} is not on the image's PATH; the image holds: {string.Join(", ", Listing(ImageRoot))}");
    }

    /// <summary>Lines of the publish's output that report a trim or AOT analysis warning (IL2xxx, IL3xxx), from ILC or the analyzers.</summary>
    internal IReadOnlyList<string> AnalysisWarnings() =>
        [.. (Publish is null ? "" : Publish.Stdout + "\n" + Publish.Stderr).Split('\n').Where(l => AnalysisWarning().IsMatch(l))];

    [GeneratedRegex(@"\bwarning\s+IL\d{4}\b")]
    private static partial Regex AnalysisWarning();

    /// <summary>Skips the calling test (fails it under CI) when the machine cannot publish; fails it with the reason when the image could not be built.</summary>
    internal DockerfileSpec Require()
    {
        Requirements.RequireOrFailInCi(Missing);
        Assert.True(Problem is null, Problem);
        return Spec!;
    }

    internal static IEnumerable<string> Listing(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order(StringComparer.Ordinal)
            : ["(nothing)"];

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_temp is not null)
        {
            Directory.Delete(_temp, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>The build context as BuildKit sends it and the build stage's COPY lines lay it out.</summary>
internal static class BuildContext
{
    public static void Copy(string repoRoot, string destinationRoot, IEnumerable<ContextCopy> copies, IEnumerable<string> dockerignore)
    {
        var ignore = Patterns(dockerignore);
        Directory.CreateDirectory(destinationRoot);
        foreach (var copy in copies)
        {
            // Destinations are relative to the stage's WORKDIR, which stands for destinationRoot.
            var destination = Path.GetFullPath(Path.Combine(destinationRoot, copy.Destination.TrimStart('/')));
            foreach (var source in copy.Sources)
            {
                var relative = source.TrimEnd('/');
                if (Ignored(relative, ignore))
                {
                    throw new InvalidDataException($"deploy/Dockerfile copies {source}, which deploy/Dockerfile.dockerignore leaves out of the context");
                }

                var path = Path.Combine(repoRoot, relative);
                if (Directory.Exists(path))
                {
                    foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                    {
                        var inContext = Path.GetRelativePath(repoRoot, file);
                        if (!Ignored(inContext, ignore))
                        {
                            var target = Path.Combine(destination, Path.GetRelativePath(path, file));
                            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                            File.Copy(file, target);
                        }
                    }
                }
                else if (File.Exists(path))
                {
                    Directory.CreateDirectory(destination);
                    File.Copy(path, Path.Combine(destination, Path.GetFileName(relative)));
                }
                else
                {
                    throw new InvalidDataException($"deploy/Dockerfile copies {source}, which is not in the repository");
                }
            }
        }
    }

    /// <summary>`**/name` leaves out every file or folder so named; `name` only the one at the top.</summary>
    private static List<(bool Anywhere, string Name)> Patterns(IEnumerable<string> lines)
    {
        var patterns = new List<(bool, string)>();
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var anywhere = line.StartsWith("**/", StringComparison.Ordinal);
            var name = anywhere ? line[3..] : line;
            if (name.IndexOfAny(['*', '?', '[', '!', '/']) >= 0 || line.StartsWith('!'))
            {
                throw new InvalidDataException($"the image test understands only `name` and `**/name` in deploy/Dockerfile.dockerignore, not: {line}");
            }

            patterns.Add((anywhere, name));
        }

        return patterns;
    }

    private static bool Ignored(string relative, List<(bool Anywhere, string Name)> patterns)
    {
        var segments = relative.Split('/');
        return patterns.Any(p => p.Anywhere ? segments.Contains(p.Name, StringComparer.Ordinal) : segments[0] == p.Name);
    }
}
