using System.Net;

namespace IronLb.Lab.Operations;

internal sealed record UpOptions
{
    public required string Name { get; init; }

    public int Nodes { get; init; } = 4;

    public required string Example { get; init; }

    public required string Crds { get; init; }

    /// <summary>deploy/rbac: every component runs under its ServiceAccount with these rules enforced.</summary>
    public required string Rbac { get; init; }

    /// <summary>Null: the first /26 of 203.0.113.0/24 that no host interface is on yet.</summary>
    public IPNetwork? ManagementSubnet { get; init; }

    public string? IronLb { get; init; }

    /// <summary>`--bgp`: the BGPPeer and BGPAdvertisement manifests (examples/lab-bgp) to apply, and a router to start; null without.</summary>
    public string? Bgp { get; init; }

    /// <summary>Words added to every speaker's command line (`--speaker-arg`), e.g. "--conflict-probes=0".</summary>
    public IReadOnlyList<string> SpeakerArgs { get; init; } = [];

    public string StateRoot { get; init; } = State.StateStore.DefaultRoot;

    /// <summary>How long to wait for the API server and for the controller to assign every LoadBalancer Service.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>Exit codes of the lab's commands.</summary>
internal static class LabExit
{
    public const int Ok = 0;

    /// <summary>Nothing usable: the lab may be half built (run down).</summary>
    public const int Failed = 1;

    public const int Usage = 2;

    /// <summary>The lab is up, but a process exited or a Service got no address; the report says which.</summary>
    public const int Degraded = 3;
}
