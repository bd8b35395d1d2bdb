using IronLb.Networking.Interfaces;
using IronLb.Networking.Responders;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The in-kernel responders as the announcer drives them (the real one is <see cref="KernelResponder"/>).
/// Every <c>answered</c> callback receives an address label and the replies sent for it since the last report.
/// </summary>
internal interface IKernelResponder : IDisposable
{
    /// <summary>Attachments as "interface/arp" and "interface/ndp".</summary>
    IEnumerable<string> Attachments { get; }

    /// <summary>Attaches the program of <paramref name="kind"/> to the interface; throws <see cref="BpfException"/> when refused.</summary>
    void Attach(InterfaceInfo info, ResponderKind kind);

    /// <summary>Detaches everything from the interface and drops its entries, reporting their last counts.</summary>
    void Detach(int interfaceIndex, Action<string, long>? answered = null);

    /// <summary>Makes the maps equal to the table, withdrawals first; returns the entries the kernel refused.</summary>
    IReadOnlyList<BpfException> Sync(AnnounceTable table, Action<string, long>? answered = null);

    /// <summary>Requests for announced addresses handed on because the deadline had passed, since loading.</summary>
    long Expired { get; }

    /// <summary>Sets the answer deadline (<see cref="AnswerDeadline.KernelValue"/>); throws <see cref="BpfException"/> when refused.</summary>
    void SetDeadline(ulong nanoseconds);

    /// <summary>Reports the replies sent since the last call.</summary>
    void Collect(Action<string, long> answered);
}
