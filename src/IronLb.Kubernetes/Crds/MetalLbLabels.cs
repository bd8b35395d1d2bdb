namespace IronLb.Kubernetes.Crds;

/// <summary>The label keys MetalLB puts on its status objects (§1.4, §1.6); readers and writers share them.</summary>
public static class MetalLbLabels
{
    /// <summary>ConfigurationState: "controller" or "speaker".</summary>
    public const string ComponentType = "metallb.io/component-type";

    /// <summary>ConfigurationState of a speaker: its node.</summary>
    public const string NodeName = "metallb.io/node-name";

    /// <summary>ServiceL2Status: the announcing node.</summary>
    public const string Node = "metallb.io/node";

    /// <summary>ServiceL2Status: the Service's name.</summary>
    public const string ServiceName = "metallb.io/service-name";

    /// <summary>ServiceL2Status: the Service's namespace.</summary>
    public const string ServiceNamespace = "metallb.io/service-namespace";
}
