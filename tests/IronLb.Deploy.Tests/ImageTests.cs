using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;

namespace IronLb.Deploy.Tests;

/// <summary>
/// deploy/Dockerfile's build step and its output under the runtime image's conditions, without a container
/// engine: its `dotnet publish` line run for this machine (<see cref="PublishedImage"/>), then only the files
/// its last stage copies, run with a container's bare environment (no dotnet on PATH, no DOTNET_ROOT, no
/// globalization switch) and as the image's USER. What this cannot prove: that the image builds under
/// BuildKit, and what the base image holds; the loader check below compares against the libraries
/// runtime-deps:10.0 is documented to install.
/// </summary>
[SupportedOSPlatform("linux")]
[Trait("Category", Category.Publish)]
[Trait("Category", Category.Root)]
public sealed partial class ImageTests(PublishedImage image) : IClassFixture<PublishedImage>
{
    /// <summary>Files a publish writes that the runtime never opens: XML docs (GenerateDocumentationFile is on repo-wide for IDE0005).</summary>
    private static readonly string[] NeverOpened = [".xml"];

    /// <summary>
    /// Libraries runtime-deps:10.0 (Ubuntu 24.04) installs, by package: libc6, libgcc-s1, libstdc++6, libssl3t64.
    /// It also installs libicu74, but the binary must not load it: InvariantGlobalization (Directory.Build.props)
    /// keeps the output independent of the base image's ICU, and lets a base without ICU (the chiseled
    /// runtime-deps) carry the same binary.
    /// </summary>
    private static readonly Dictionary<string, string> RuntimeDepsLibraries = new(StringComparer.Ordinal)
    {
        ["ld-linux-x86-64.so.2"] = "libc6",
        ["ld-linux-aarch64.so.1"] = "libc6",
        ["libc.so.6"] = "libc6",
        ["libm.so.6"] = "libc6",
        ["libdl.so.2"] = "libc6",
        ["librt.so.1"] = "libc6",
        ["libpthread.so.0"] = "libc6",
        ["libresolv.so.2"] = "libc6",
        ["libnss_files.so.2"] = "libc6",
        ["libnss_dns.so.2"] = "libc6",
        ["libgcc_s.so.1"] = "libgcc-s1",
        ["libstdc++.so.6"] = "libstdc++6",
        ["libssl.so.3"] = "libssl3t64",
        ["libcrypto.so.3"] = "libssl3t64",
    };

    /// <summary>The commands the manifests and docs run; `{campus}` stands for examples/campus.</summary>
    public static TheoryData<string[], string[]> Commands => new()
    {
        { ["plan", "{campus}"], ["external", "141.89.58.184", "0 errors"] },
        { ["speaker", "--help"], ["ironlb speaker [options]", "--membership-key-file"] },
        { ["controller", "--help"], ["ironlb controller [options]", "--leader-elect"] },
    };

    [Fact]
    public void Publish_writes_one_binary_and_nothing_the_images_copy_leaves_behind()
    {
        var spec = image.Require();
        var copied = spec.ImageCopies.Select(c => Path.GetRelativePath(spec.PublishOutput, c.Source)).ToList();
        var written = PublishedImage.Listing(image.PublishOutput).ToList();
        var leftBehind = written.Where(f => !copied.Contains(f) && !NeverOpened.Contains(Path.GetExtension(f), StringComparer.Ordinal)).ToList();
        Assert.True(
            leftBehind.Count == 0,
            $"the image copies only {string.Join(", ", spec.ImageCopies.Select(c => c.Source))}, but the publish also wrote {string.Join(", ", leftBehind)}; "
            + "a single-file binary must not need files beside it (a native library, a runtimeconfig, a second assembly) because the image would not have them");

        Assert.Equal([spec.Entrypoint[0]], copied);
        var binary = Path.Combine(image.PublishOutput, copied[0]);
        Assert.True((File.GetUnixFileMode(binary) & UnixFileMode.UserExecute) != 0, $"{binary} is not executable");
        var magic = new byte[4];
        using (var stream = File.OpenRead(binary))
        {
            stream.ReadExactly(magic);
        }

        Assert.True(magic is [0x7f, (byte)'E', (byte)'L', (byte)'F'], $"{binary} is not a native executable (an ELF apphost); a self-contained single-file publish makes one");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Entrypoint_runs_with_a_containers_environment_and_loads_only_what_runtime_deps_ships(string[] args, string[] expected)
    {
        var spec = image.Require();
        var program = Entrypoint(spec);
        var info = Start(spec, program, args);
        // The loader reports every library it maps, dlopen()ed ones too (OpenSSL; ICU unless invariant).
        info.Environment["LD_DEBUG"] = "libs";
        var result = await ProcessRunner.RunAsync(info, TimeSpan.FromMinutes(2), cancellationToken: TestContext.Current.CancellationToken);

        var loader = result.Stderr.Split('\n').Select(l => LoaderLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["text"].Value).ToList();
        var stderr = string.Join('\n', result.Stderr.Split('\n').Where(l => !LoaderLine().IsMatch(l)));
        var shown = result with { Stderr = stderr };
        AssertRan(shown, expected);

        var loaded = loader.Select(l => InitLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["path"].Value).Distinct().ToList();
        Assert.True(loaded.Count > 0, $"no loader trace (LD_DEBUG=libs needs glibc, as the image has); stderr:\n{result.Stderr}");
        var icu = loaded.Where(l => Path.GetFileName(l).StartsWith("libicu", StringComparison.Ordinal)).ToList();
        Assert.True(icu.Count == 0, $"{result.Command} loaded ICU ({string.Join(", ", icu)}): globalization is not invariant, so the output would depend on the base image's ICU; Directory.Build.props sets InvariantGlobalization");
        // A framework-dependent publish would still run here, from this machine's .NET; its host and runtime libraries give it away.
        var foreign = loaded.Where(l => !RuntimeDepsLibraries.ContainsKey(Path.GetFileName(l))).ToList();
        Assert.True(
            foreign.Count == 0,
            $"{result.Command} loaded {string.Join(", ", foreign)}, which runtime-deps:10.0 does not install (it has libc6, libgcc-s1, libstdc++6, libssl3t64); "
            + $"libhostfxr or libcoreclr there means the publish is not self-contained. Loaded: {string.Join(", ", loaded)}");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Entrypoint_runs_as_the_images_user(string[] args, string[] expected)
    {
        var spec = image.Require();
        Requirements.Root("running as the image's user (setpriv --reuid)");
        var setpriv = Requirements.Tool("setpriv", "running as the image's user");
        Entrypoint(spec);
        // setpriv finds the ENTRYPOINT on the image's PATH from the stripped environment, as the runtime would.
        var info = Start(spec, setpriv, [$"--reuid={spec.Uid}", $"--regid={spec.Gid}", "--clear-groups", "--", spec.Entrypoint[0], .. spec.Entrypoint.Skip(1), .. args]);
        var result = await ProcessRunner.RunAsync(info, TimeSpan.FromMinutes(2), cancellationToken: TestContext.Current.CancellationToken);
        AssertRan(result, expected);
    }

    private string Entrypoint(DockerfileSpec spec) =>
        image.EntrypointProgram
        ?? throw new Xunit.Sdk.XunitException($"ENTRYPOINT {spec.Entrypoint[0]} is not on the image's PATH; the image holds: {string.Join(", ", PublishedImage.Listing(image.ImageRoot))}");

    /// <summary>A container's environment: the image's PATH (re-rooted, so no dotnet on it), HOME from its passwd, its ENV, and nothing from this machine.</summary>
    private ProcessStartInfo Start(DockerfileSpec spec, string program, IEnumerable<string> args)
    {
        var info = ProcessRunner.StartInfo(program, args.Select(a => a.Replace("{campus}", image.Campus, StringComparison.Ordinal)));
        info.WorkingDirectory = "/";

        info.Environment.Clear();
        info.Environment["PATH"] = image.ImagePath;
        info.Environment["HOSTNAME"] = "ironlb-image-test";
        info.Environment["HOME"] = "/nonexistent";
        // runtime-deps:10.0's own ENV lines.
        info.Environment["APP_UID"] = "1654";
        info.Environment["ASPNETCORE_HTTP_PORTS"] = "8080";
        info.Environment["DOTNET_RUNNING_IN_CONTAINER"] = "true";
        foreach (var (name, value) in spec.Env)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static void AssertRan(ProcessResult result, string[] expected)
    {
        Assert.True(result.ExitCode == 0, $"expected exit 0:\n{result}");
        foreach (var text in expected)
        {
            Assert.True(result.Stdout.Contains(text, StringComparison.Ordinal), $"expected \"{text}\" on stdout:\n{result}");
        }
    }

    [GeneratedRegex(@"^\s*\d+:\s?(?<text>.*)$")]
    private static partial Regex LoaderLine();

    [GeneratedRegex(@"^calling init: (?<path>\S+)")]
    private static partial Regex InitLine();
}
