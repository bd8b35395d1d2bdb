using Microsoft.Extensions.Logging;

namespace IronLb.Controller;

/// <summary>
/// Gives the heap a full pass over every Service left back to the operating system. Such a pass (start-up, a new
/// configuration) parses, converges and writes every Service at once, and the GC keeps the heap it grew to for it:
/// with 10,000 Services that was about 20 MB of a NativeAOT controller's resident memory held for nothing until the
/// next such pass (docs/performance.md, "NativeAOT"). One blocking, compacting, decommitting collection after the
/// pass costs tens of milliseconds, and only then.
/// </summary>
internal static partial class HeapReturn
{
    public static void AfterFullPass(ILogger logger)
    {
        var before = Megabytes(GC.GetGCMemoryInfo().TotalCommittedBytes);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = Megabytes(GC.GetGCMemoryInfo(GCKind.FullBlocking).TotalCommittedBytes);
        LogReturned(logger, before, after);
    }

    private static double Megabytes(long bytes) => Math.Round(bytes / 1048576.0, 1);

    [LoggerMessage(EventId = 309, Level = LogLevel.Information, Message = "heap after a full pass: {beforeMb} MB committed, {afterMb} MB after giving back what it no longer needs")]
    private static partial void LogReturned(ILogger logger, double beforeMb, double afterMb);
}
