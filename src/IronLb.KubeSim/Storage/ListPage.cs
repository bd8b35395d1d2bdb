namespace IronLb.KubeSim.Storage;

/// <summary>One page of a list: its items in key order, the resourceVersion the whole list is consistent at, and,
/// when more items follow, the continue token that reads them at that same version.</summary>
internal sealed record ListPage(List<StoredObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);
