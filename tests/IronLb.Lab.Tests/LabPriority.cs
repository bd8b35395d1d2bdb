[assembly: AssemblyFixture(typeof(IronLb.Lab.Tests.LabPriority))]

namespace IronLb.Lab.Tests;

/// <summary>
/// A lab node stands for a machine of its own, but here three of them share two cores with whatever else the host
/// runs; in CI that is the other test assemblies, some CPU-bound for minutes (the ring simulations, the NativeAOT
/// publish). A speaker that is not scheduled for 400 ms fences itself, as it must, and the fault matrix would judge
/// that as if the row's fault had caused it. So this process, the labs it brings up and the judge that probes them run
/// at nice -10 when root: the host's other work yields to them, and what the rows measure is the fault's.
/// </summary>
public sealed class LabPriority : IAsyncLifetime
{
    public const int Nice = -10;

    public ValueTask InitializeAsync()
    {
        if (Requirements.IsRoot && ProcessPriority.Raise(Nice) is { } problem)
        {
            TestContext.Current.SendDiagnosticMessage($"lab priority: {problem}");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
