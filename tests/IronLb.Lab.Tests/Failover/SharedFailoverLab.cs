namespace IronLb.Lab.Tests.Failover;

/// <summary>
/// The failover tests and the egress tests share one three-node lab (<see cref="FailoverLab"/>): bringing a lab up
/// costs most of a minute on the CI machine, and every test of both starts from <see cref="FailoverLab.HealthyAsync"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedFailoverLab : ICollectionFixture<FailoverLab>
{
    public const string Name = "failover lab";
}
