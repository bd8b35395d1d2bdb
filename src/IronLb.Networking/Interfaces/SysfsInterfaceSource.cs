using IronLb.Networking.Packets;

namespace IronLb.Networking.Interfaces;

/// <summary>
/// Reads <c>/sys/class/net/*</c> and <c>/proc/net/if_inet6</c>, the same sources MetalLB uses, so it sees
/// exactly the kernel's view inside whatever network namespace the process runs in. No netlink, no P/Invoke.
/// </summary>
internal sealed class SysfsInterfaceSource(string sysClassNet = "/sys/class/net", string ifInet6 = "/proc/net/if_inet6") : IInterfaceSource
{
    public IReadOnlyList<InterfaceInfo> Scan()
    {
        var linkLocals = SysfsParser.ParseLinkLocals(ReadOrNull(ifInet6));
        var result = new List<InterfaceInfo>();
        if (!Directory.Exists(sysClassNet))
        {
            return result;
        }

        foreach (var dir in Directory.EnumerateDirectories(sysClassNet).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            var index = SysfsParser.ParseInt(ReadOrNull(Path.Combine(dir, "ifindex")));
            var flags = SysfsParser.ParseFlags(ReadOrNull(Path.Combine(dir, "flags")));
            var type = SysfsParser.ParseInt(ReadOrNull(Path.Combine(dir, "type")));
            if (index is null || flags is null || type is null)
            {
                continue; // vanished while we looked; the next scan settles it
            }

            var mac = SysfsParser.ParseMac(ReadOrNull(Path.Combine(dir, "address"))) ?? default(MacAddress);
            var hasMaster = Path.Exists(Path.Combine(dir, "master"));
            result.Add(new InterfaceInfo(name, index.Value, mac, flags.Value, type.Value, hasMaster, linkLocals.GetValueOrDefault(name)));
        }

        return result;
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
