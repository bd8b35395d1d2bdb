using System.Text;

namespace IronLb.Tests.Commands;

/// <summary>
/// Issue #14 finding 8: malformed files tried as a new user would. Whatever the input, `ironlb plan` answers
/// with lines naming the file (and line, when there is one), never "internal error (...)" and never a stack trace.
/// </summary>
public sealed class PlanTotalParserTests
{
    public sealed record PlanCase(string Desc, (string Path, byte[] Bytes)[] Files, int Exit, string File, string Message)
    {
        public override string ToString() => Desc;
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    private static readonly byte[] Truncated = Text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app: [web\n");

    public static TheoryData<PlanCase> Cases { get; } =
    [
        new PlanCase("truncated YAML", [("cut.yaml", Truncated)], 2, "cut.yaml:6", "invalid YAML"),
        new PlanCase("tab indentation", [("tabs.yaml", Text("apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n"))], 2, "tabs.yaml:4", "invalid YAML"),
        new PlanCase("a JSON array at the top level", [("list.json", Text("[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}]"))], 1, "list.json:1", "expected a Kubernetes object"),
        new PlanCase("a binary file", [("image.yaml", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0xFF])], 2, "image.yaml", "the file is not UTF-8 text"),
        new PlanCase("an alias bomb", [("bomb.yaml", Text("a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 10).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n"))))], 0, "", ""), // read in a moment, nothing expanded; a mapping without apiVersion is ignored
        new PlanCase("YAML nested 100,000 deep", [("deep.yaml", Text(Repeat("[", 100_000) + Repeat("]", 100_000)))], 2, "deep.yaml:1", "nested deeper than 100 levels"),
        new PlanCase("JSON nested 100,000 deep", [("deep.json", Text(Repeat("{\"a\":", 100_000) + "1" + Repeat("}", 100_000)))], 2, "deep.json:1", "maximum configured depth"),
        new PlanCase("an octal port too long for 64 bits", [("oct.yaml", Text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer, ports: [{port: 0o77777777777777777777777}]}\n"))], 1, "oct.yaml:4", "expected an integer"),
        new PlanCase("a NUL byte in YAML (was: internal error (InvalidOperationException))", [("nul.yaml", [.. Text("SSd:\n \uFFFD"), 0, .. Text("[x\n")])], 2, "nul.yaml:2", "NUL character"),
        new PlanCase("a brace left open (was: internal error (InvalidOperationException))", [("svc.yaml", Text("apiVersion: v1\nkind: Service\nmetadata:\n  name: {web\n  namespace: mail\nspec: {type: LoadBalancer}\n"))], 2, "svc.yaml:4", "left without its closing"),
        new PlanCase("a folder of mixed files", [("tree/README.md", Text("# not a manifest\n")), ("tree/ok.yaml", Text("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n")), ("tree/apps/cut.yaml", Truncated), ("tree/list.json", Text("[]"))], 2, "tree/apps/cut.yaml:6", "invalid YAML"),
        new PlanCase("an empty file and a comment-only file", [("empty.yaml", []), ("comment.yaml", Text("# nothing here\n"))], 0, "", ""),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_names_the_file_for_every_malformed_input(PlanCase c)
    {
        using var dir = new TempManifests();
        foreach (var (path, bytes) in c.Files)
        {
            Write(dir, path, bytes);
        }

        // One file is named on the command line; several are found by reading their folder.
        var result = CliRunner.Run("plan", c.Files.Length == 1 ? Path.Combine(dir.Root, c.Files[0].Path) : dir.Root);

        Assert.True(c.Exit == result.ExitCode, $"exit {result.ExitCode}, expected {c.Exit}\n{result.All}");
        Assert.DoesNotContain("internal error", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        if (c.Message.Length > 0)
        {
            var where = Path.Combine(dir.Root, c.File);
            Assert.True(
                result.All.Split('\n').Any(l => l.Contains(where, StringComparison.Ordinal) && l.Contains(c.Message, StringComparison.Ordinal)),
                $"no line with {where} and \"{c.Message}\" in:\n{result.All}");
        }
    }

    [Fact]
    public void A_dangling_symlink_in_a_folder_is_named_not_an_internal_error()
    {
        using var dir = new TempManifests();
        dir.Write("tree/ok.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
        var link = Path.Combine(dir.Root, "tree", "gone.yaml");
        File.CreateSymbolicLink(link, Path.Combine(dir.Root, "nowhere.yaml"));

        var result = CliRunner.Run("plan", Path.Combine(dir.Root, "tree"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{link}: cannot read the file", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_is_named_not_an_internal_error()
    {
        using var dir = new TempManifests();
        var path = dir.Write("secret.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
        }

        if (Environment.UserName == "root" || CanRead(path))
        {
            Assert.Skip("root reads files whatever their mode; this row needs an ordinary user");
        }

        var result = CliRunner.Run("plan", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}: cannot read the file", result.Error, StringComparison.Ordinal);
    }

    private static bool CanRead(string path)
    {
        try
        {
            File.ReadAllBytes(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Write(TempManifests dir, string relative, byte[] bytes)
    {
        var path = Path.Combine(dir.Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
