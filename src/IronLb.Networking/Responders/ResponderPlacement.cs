using System.Diagnostics;

namespace IronLb.Networking.Responders;

/// <summary>Where the lane threads run and how they are scheduled; built once from <see cref="Layer2Options"/>.</summary>
/// <param name="LaneCpus">One lane per entry, its thread pinned there; empty = one unpinned lane.</param>
/// <param name="TimeSlice">EEVDF time slice to request for the lane threads; null = the kernel's default.</param>
/// <param name="RealtimePriority">SCHED_FIFO priority for the lane threads, 0 = leave them SCHED_OTHER.</param>
/// <param name="SpinTicks">Stopwatch ticks to keep polling after a frame before blocking again, 0 = never.</param>
internal sealed record ResponderPlacement(int[] LaneCpus, TimeSpan? TimeSlice, int RealtimePriority, long SpinTicks)
{
    /// <summary>One unpinned lane, scheduled as the kernel likes: what the announcer tests use.</summary>
    public static ResponderPlacement Default { get; } = new([], null, 0, 0);

    public static ResponderPlacement From(Layer2Options options, int[] allowedCpus) => new(
        options.Threading == Layer2Threading.PerCpu && allowedCpus.Length > 1 ? allowedCpus : [],
        options.ResponderTimeSlice is { } slice && slice > TimeSpan.Zero ? slice : null,
        Math.Clamp(options.RealtimePriority ?? 0, 0, 99),
        options.SpinAfterFrame > TimeSpan.Zero ? (long)(options.SpinAfterFrame.TotalSeconds * Stopwatch.Frequency) : 0);
}
