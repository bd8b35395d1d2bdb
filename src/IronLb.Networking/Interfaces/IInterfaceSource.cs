namespace IronLb.Networking.Interfaces;

/// <summary>Where interface facts come from; the real one reads sysfs, tests hand in lists.</summary>
internal interface IInterfaceSource
{
    IReadOnlyList<InterfaceInfo> Scan();
}
