using IronLb.Fuzz.Exercises;

namespace IronLb.Fuzz.Targets;

/// <summary>The sysfs/procfs text parsers: flags, integers, MAC addresses and /proc/net/if_inet6.</summary>
internal sealed class SysfsTarget : FuzzTarget
{
    public override string Name => "sysfs";

    public override string Description => "SysfsParser on file contents (flags, mtu/ifindex, address, if_inet6)";

    public override IReadOnlyList<string> Instrument => ["IronLb.Networking.dll"];

    public override void Run(ReadOnlySpan<byte> input) => NetworkingExercises.Sysfs(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds() =>
    [
        ("flags", "0x1003\n"u8.ToArray()),
        ("mtu", "1500\n"u8.ToArray()),
        ("address", "52:54:00:12:34:56\n"u8.ToArray()),
        ("if_inet6", "fe80000000000000505400fffe123456 00000002 40 20 80     eno5\n00000000000000000000000000000001 00000001 80 10 80       lo\n"u8.ToArray()),
    ];
}
