namespace IronLb.Manifests.Tests;

public sealed class FolderReadingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ironlb-reader-" + Guid.NewGuid().ToString("N"));

    public FolderReadingTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Node(string name) => $"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\n";

    [Fact]
    public void Reads_yaml_yml_and_json_recursively_and_skips_other_files_and_hidden_folders()
    {
        Write("a.yaml", Node("n1"));
        Write("sub/deeper/b.yml", Node("n2"));
        Write("sub/c.json", """{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n3"}}""");
        Write("sub/README.md", "not: yaml: at all: [");
        Write(".git/d.yaml", Node("hidden"));

        var read = ManifestReader.Read([_root]);

        Assert.Empty(read.FatalErrors);
        Assert.Equal(3, read.FileCount);
        Assert.Equal(["n1", "n2", "n3"], read.Resources.Nodes.Select(n => n.Name).Order());
    }

    [Fact]
    public void A_file_given_twice_is_read_once_and_a_named_file_is_read_whatever_its_extension()
    {
        var file = Write("nodes.txt", Node("n1"));

        var read = ManifestReader.Read([file, file]);

        Assert.Empty(read.Errors);
        Assert.Single(read.Resources.Nodes);
    }

    [Fact]
    public void Missing_paths_and_empty_folders_are_fatal()
    {
        Directory.CreateDirectory(Path.Combine(_root, "empty"));

        var missing = ManifestReader.Read([Path.Combine(_root, "nope")]);
        var empty = ManifestReader.Read([Path.Combine(_root, "empty")]);

        Assert.Contains("no such file or folder", Assert.Single(missing.FatalErrors).Message, StringComparison.Ordinal);
        Assert.Contains("no *.yaml", Assert.Single(empty.FatalErrors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_utf8_files_are_fatal()
    {
        var path = Path.Combine(_root, "latin1.yaml");
        File.WriteAllBytes(path, [0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xe9, 0xff, 0x0a]);

        var read = ManifestReader.Read([path]);

        Assert.Contains("not UTF-8", Assert.Single(read.FatalErrors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Campus_example_reads_cleanly()
    {
        var read = ManifestReader.Read([RepoPaths.Campus]);

        Assert.Empty(read.FatalErrors);
        Assert.Empty(read.Errors);
        Assert.Equal(["external", "office"], read.Resources.Pools.Select(p => p.Name));
        Assert.Equal(["eno2", "eno3"], read.Resources.L2Advertisements.SelectMany(a => a.Interfaces));
        Assert.Equal(["cwn1", "cwn2", "cwn3", "cwn4"], read.Resources.Nodes.Select(n => n.Name));
        Assert.Equal(15, read.Services.Length);
        Assert.All(read.Services, s => Assert.Equal(2, s.ClusterIps.Length));
        Assert.Equal(2, read.IgnoredCount);
    }
}
