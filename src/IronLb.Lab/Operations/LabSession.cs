using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Operations;

/// <summary>An existing lab as the commands after `up` see it: its state file, and the plan recomputed from it.</summary>
internal sealed class LabSession
{
    private LabSession(StateStore store, LabState state)
    {
        Store = store;
        State = state;
        Plan = LabPlan.Create(LabNames.Create(state.Name), state.NodeNames, System.Net.IPNetwork.Parse(state.ManagementSubnet), state.Pods, state.Bgp);
    }

    public StateStore Store { get; }

    public LabState State { get; private set; }

    public LabPlan Plan { get; }

    public static async Task<LabSession?> OpenAsync(LabNames names, string stateRoot, CancellationToken cancellationToken)
    {
        var store = new StateStore(names.StateDirectory(stateRoot));
        var state = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        return state is null ? null : new LabSession(store, state);
    }

    /// <summary>The lab whose state file is <paramref name="stateFile"/>, or null when there is none.</summary>
    public static async Task<LabSession?> OpenAsync(string stateFile, CancellationToken cancellationToken)
    {
        var store = new StateStore(Path.GetDirectoryName(stateFile)!);
        var state = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        return state is null ? null : new LabSession(store, state);
    }

    public static LabSession Begin(StateStore store, LabState state) => new(store, state);

    /// <summary>Changes the state and writes it at once (never cancelled: the record must match the machine).</summary>
    public async Task RecordAsync(Func<LabState, LabState> change)
    {
        State = change(State);
        await Store.SaveAsync(State, CancellationToken.None).ConfigureAwait(false);
    }

    public NodePlan? Node(string name) => Plan.Nodes.FirstOrDefault(n => n.Name == name);
}
