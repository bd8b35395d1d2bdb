using IronLb.Lab.Tests.FaultMatrix;

namespace IronLb.Lab.Tests.Soak;

/// <summary>
/// The fault matrix's rows and the 3-minute soak share one three-node lab (<see cref="MatrixLab"/>): bringing a
/// lab up costs about a minute on the CI machine, and the soak leaves it as healthy as a row does. One collection
/// also keeps them from running at once (each would take the other's faults for its own).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedMatrixLab : ICollectionFixture<MatrixLab>
{
    public const string Name = "matrix lab";
}
