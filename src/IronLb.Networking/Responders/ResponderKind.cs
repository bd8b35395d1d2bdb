namespace IronLb.Networking.Responders;

/// <summary>Which responder a loop runs.</summary>
internal enum ResponderKind
{
    Arp,
    Ndp,
}

internal static class ResponderKindNames
{
    /// <summary>"arp" or "ndp", as responders are named in logs, metrics and "eno2/arp".</summary>
    public static string Protocol(this ResponderKind kind) => kind == ResponderKind.Arp ? "arp" : "ndp";
}
