using IronLb.Lab.Tests.Soak;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(IronLb.Lab.Tests.LongestFirst))]

namespace IronLb.Lab.Tests;

/// <summary>
/// Starts the fault matrix and the soak (one collection, about ten minutes on the CI machine) before every other
/// lab collection, then the rest by name. xunit's default order is random per run: when the matrix drew a late
/// slot, the assembly took its other tests' time plus the matrix's, five minutes more than it needs on two cores.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. testCollections
            .OrderBy(c => c.TestCollectionDisplayName == SharedMatrixLab.Name ? 0 : 1)
            .ThenBy(c => c.TestCollectionDisplayName, StringComparer.Ordinal)];
}
