namespace IronLb.Manifests;

/// <summary>The file is not valid YAML or JSON: the input cannot be used at all (exit code 2).</summary>
internal sealed class ManifestSyntaxException(string file, int line, string message) : Exception(message)
{
    public string File { get; } = file;
    public int Line { get; } = line;
}
