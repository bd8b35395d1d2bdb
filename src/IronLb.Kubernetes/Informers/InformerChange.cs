namespace IronLb.Kubernetes.Informers;

public enum ChangeType
{
    Added,
    Updated,
    Deleted,
}

/// <summary>One change seen by an informer; Old is null for Added, New is null for Deleted.</summary>
public sealed record InformerChange<T>(ChangeType Type, string Key, T? Old, T? New)
    where T : class;
