namespace IronLb.Lab.State;

/// <summary>
/// An exclusive lock on the state root (flock on <c>.lock</c>, which .NET takes for FileShare.None), held while
/// an `up` claims its name and management subnet, so two labs started at once never pick the same slice.
/// </summary>
internal static class StateRootLock
{
    public static async Task<IDisposable> AcquireAsync(string root, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, ".lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another `up` is claiming; it holds the lock for a moment only.
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
