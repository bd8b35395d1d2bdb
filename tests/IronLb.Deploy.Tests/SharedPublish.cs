namespace IronLb.Deploy.Tests;

/// <summary>
/// The classes that need the published image: one publish per test run (the NativeAOT compile is minutes on two
/// cores), shared through this collection, whose classes therefore run one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedPublish : ICollectionFixture<PublishedImage>
{
    public const string Name = "published image";
}
