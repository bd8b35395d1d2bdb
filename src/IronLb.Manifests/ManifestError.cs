namespace IronLb.Manifests;

/// <summary>
/// A problem found while reading manifests: the file (and line, when known), the object it concerns
/// ("IPAddressPool metallb-system/external", or "document 2" before the object has a name), and what is wrong.
/// </summary>
public sealed record ManifestError(string File, int? Line, string? ObjectName, string Message)
{
    /// <summary>"path:line", the form editors and terminals turn into a link.</summary>
    public string Location => Line is null ? File : $"{File}:{Line}";

    public override string ToString() =>
        ObjectName is null ? $"{Location}: {Message}" : $"{Location}: {ObjectName}: {Message}";
}
