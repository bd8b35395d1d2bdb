namespace IronLb.Lab.Tests.Failover;

/// <summary>
/// The failover, egress and address-conflict tests share one three-node lab (<see cref="FailoverLab"/>): bringing a
/// lab up and down costs 20–30 s on the two CI cores, and each of their tests starts from
/// <see cref="FailoverLab.HealthyAsync"/>, which undoes what any of them leaves (a cut link, a loss rule, a stopped
/// speaker). The fault matrix and the soak keep a lab of their own (<see cref="Soak.SharedMatrixLab"/>): their rows
/// judge every address on the wire, and a lab these tests have churned would only add to what they must heal.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ThreeNodeLab : ICollectionFixture<FailoverLab>
{
    public const string Name = "three-node lab";
}
