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
[Collection(SharedPublish.Name)]
public sealed partial class ImageTests(PublishedImage image)
{
    /// <summary>
    /// Files a publish writes that the running binary never opens: XML docs (GenerateDocumentationFile is on repo-wide
    /// for IDE0005), the libraries' portable PDBs, and ironlb.dbg, the native symbols NativeAOT strips out of the binary.
    /// </summary>
    private static readonly string[] NeverOpened = [".xml", ".pdb", ".dbg"];

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
            + "the NativeAOT binary must not need files beside it (a native library, a runtimeconfig, an assembly) because the image would not have them");
        Assert.Equal([spec.Entrypoint[0]], copied);
    }

    [Fact]
    public void Published_ironlb_is_a_native_executable_compiled_ahead_of_time_with_no_assembly_beside_it()
    {
        var spec = image.Require();
        var binary = Path.Combine(image.PublishOutput, Path.GetRelativePath(spec.PublishOutput, spec.ImageCopies.Single().Source));
        Assert.True((File.GetUnixFileMode(binary) & UnixFileMode.UserExecute) != 0, $"{binary} is not executable");

        var elf = ElfImage.Read(binary);
        Assert.True(elf is not null, $"{binary} is not a 64-bit ELF file");
        Assert.Contains(elf.Type, new[] { ElfImage.Executable, ElfImage.SharedObject });
        Assert.True(elf.HasInterpreter, $"{binary} names no program interpreter: not a dynamically linked executable");
        Assert.Equal(DockerfileSpec.TargetArch == "arm64" ? ElfImage.Aarch64 : ElfImage.X86_64, elf.Machine);
        // ILC's output sections: the compiled managed code and the module table. An apphost or a single-file bundle is
        // also an ELF executable, but has neither; it would start the runtime and JIT-compile an assembly instead.
        foreach (var section in new[] { "__managedcode", "__modules" })
        {
            Assert.True(elf.Sections.Contains(section), $"{binary} has no {section} section: not NativeAOT code; sections: {string.Join(", ", elf.Sections.Order(StringComparer.Ordinal))}");
        }

        // No managed entry assembly, nor any other, nor the files a host would look for to start one.
        var managed = PublishedImage.Listing(image.PublishOutput)
            .Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".runtimeconfig.json", StringComparison.Ordinal) || f.EndsWith(".deps.json", StringComparison.Ordinal))
            .ToList();
        Assert.True(managed.Count == 0, $"the publish wrote {string.Join(", ", managed)}: a NativeAOT publish needs no assembly and no host configuration");
    }

    [Fact]
    public void Publish_reports_no_trim_or_aot_warning()
    {
        // src/IronLb/IronLb.csproj turns them into errors, which fail the publish above; this is the second net, for a
        // warning that some later property change lets through as a warning again.
        image.Require();
        Assert.Empty(image.AnalysisWarnings());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Entrypoint_runs_with_a_containers_environment_and_loads_only_what_runtime_deps_ships(string[] args, string[] expected)
    {
        var info = Start(image.RequireEntrypoint(), args);
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
        // A framework-dependent or self-contained publish would still run here, from this machine's .NET or its own; the
        // host and runtime libraries it loads give it away.
        var foreign = loaded.Where(l => !RuntimeDepsLibraries.ContainsKey(Path.GetFileName(l))).ToList();
        Assert.True(
            foreign.Count == 0,
            $"{result.Command} loaded {string.Join(", ", foreign)}, which runtime-deps:10.0 does not install (it has libc6, libgcc-s1, libstdc++6, libssl3t64); "
            + $"libhostfxr or libcoreclr there means a host started a runtime: the binary is not NativeAOT. Loaded: {string.Join(", ", loaded)}");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Entrypoint_runs_as_the_images_user(string[] args, string[] expected)
    {
        var spec = image.Require();
        Requirements.Root("running as the image's user (setpriv --reuid)");
        var setpriv = Requirements.Tool("setpriv", "running as the image's user");
        image.RequireEntrypoint();
        // setpriv finds the ENTRYPOINT on the image's PATH from the stripped environment, as the runtime would.
        var info = Start(setpriv, [$"--reuid={spec.Uid}", $"--regid={spec.Gid}", "--clear-groups", "--", spec.Entrypoint[0], .. spec.Entrypoint.Skip(1), .. args]);
        var result = await ProcessRunner.RunAsync(info, TimeSpan.FromMinutes(2), cancellationToken: TestContext.Current.CancellationToken);
        AssertRan(result, expected);
    }

    /// <summary>The program in a container's environment; `{campus}` in an argument is a readable copy of examples/campus.</summary>
    private ProcessStartInfo Start(string program, IEnumerable<string> args) =>
        image.ContainerStartInfo(program, args.Select(a => a.Replace("{campus}", image.Campus, StringComparison.Ordinal)));

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
