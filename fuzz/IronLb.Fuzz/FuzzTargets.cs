using IronLb.Fuzz.Targets;

namespace IronLb.Fuzz;

/// <summary>Every target the program knows; the name is the command-line argument and the corpus folder.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new ManifestTarget(json: false),
        new ManifestTarget(json: true),
        new WatchLineTarget(),
        new MembershipV1Target(signed: false),
        new MembershipV1Target(signed: true),
        new MembershipV2Target(signed: false),
        new MembershipV2Target(signed: true),
        new ArpTarget(),
        new NdpTarget(),
        new AdvertisementTarget(),
        new SysfsTarget(),
        new KubeSimBodyTarget(),
        new HttpHeadTarget(),
        new BgpTarget(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
