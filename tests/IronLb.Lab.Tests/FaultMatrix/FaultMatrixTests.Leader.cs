using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using IronLb.Lab.Operations;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>The two rows that need more than a rule: the leader controller cut off mid-burst, and the membership flood.</summary>
public sealed partial class FaultMatrixTests
{
    private const string ControllerLease = $"apis/coordination.k8s.io/v1/namespaces/{MatrixLab.MetalLbNamespace}/leases/ironlb-controller";
    private const int FloodRate = 50_000;
    private static readonly TimeSpan FloodTime = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_leader_controller_black_holed_while_Services_are_created()
    {
        using var wire = await StartAsync();
        using var api = lab.Connect();
        await lab.Lab.OkAsync("controller-replicas", "--replicas", "2");
        try
        {
            var leader = await UntilAsync(() => HolderAsync(api), h => h is not null, "a controller replica holding the leader Lease", 90);
            await TestObjects.AddAutoPoolAsync(api);
            await TestObjects.CreateNamespaceAsync(api);
            await using var statuses = new ServiceStatusWatch(lab.Connect());

            // A burst before the cut, more while the leader is cut off (its lease runs out, the other takes over), more after.
            var created = 0;
            async Task CreateAsync(int count)
            {
                for (var i = 0; i < count; i++, created++)
                {
                    await TestObjects.CreateServiceAsync(api, created);
                    await HoldAsync(TimeSpan.FromMilliseconds(300));
                }
            }

            await CreateAsync(4);
            var node = leader!["controller-".Length..];
            var fault = wire.Now;
            await Faults.BlackHoleApiAsync(lab.Netns(node), lab.ApiEndpoint, FaultOperations.ReplicaUid);
            await CreateAsync(4);
            var successor = await UntilAsync(() => HolderAsync(api), h => h is not null && h != leader, $"the other replica taking the Lease from {leader}", 90);
            await CreateAsync(2);
            await WaitForAsync(() => Task.FromResult(Assigned(statuses) == created), $"all {created} Services assigned by {successor}", MatrixLab.Deadline);

            Assert.True(await Faults.DroppedAsync(lab.Netns(node)) > 0, $"the rules dropped none of {leader}'s packets: the row tested nothing");

            // Healed, the deposed leader's connections work again: whatever it still had queued must not land.
            await Faults.HealAsync(lab.Netns(node));
            await CreateAsync(2);
            await WaitForAsync(() => Task.FromResult(Assigned(statuses) == created), $"all {created} Services assigned after the heal", MatrixLab.Deadline);
            await HoldAsync(TimeSpan.FromSeconds(3));

            TestContext.Current.TestOutputHelper?.WriteLine($"{statuses.Snapshots} status snapshots; leader {leader} cut at {fault}, {successor} took over");
            Assert.True(statuses.Conflicts.Count == 0, "an address held by two Services:\n" + string.Join('\n', statuses.Conflicts.Take(20)));
            var ours = statuses.Latest.Where(s => s.Key.StartsWith(MatrixLab.TestNamespace + "/", StringComparison.Ordinal)).ToList();
            Assert.True(ours.All(s => s.Value.Length == 1), "every Service has one address: " + string.Join(", ", ours.Select(s => $"{s.Key}=[{string.Join(',', s.Value)}]")));
            Assert.Equal(ours.Count, ours.Select(s => s.Value[0]).Distinct().Count());
            Keeps(Promise.Steady, wire, fault, "the leader controller black-holed");
        }
        finally
        {
            await TestObjects.RemoveAllAsync(lab);
            await lab.Lab.OkAsync("controller-replicas", "--replicas", "0");
        }
    }

    [Fact]
    public async Task A_flood_of_50000_datagrams_a_second_from_a_non_peer()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);
        var target = new IPEndPoint(await Faults.ManagementAddressAsync(lab.Netns(owner)), Faults.MembershipPort);
        var source = await Faults.AddFloodSourceAsync(lab.LanNamespace, lab.Netns(lab.Nodes[0]));
        var logBefore = lab.SpeakerLog(owner).Length;

        var fault = wire.Now;
        var sent = await UdpBlaster.BlastAsync(IronLb.Lab.Topology.LabNames.Create(lab.Lab.Name).LanNamespace, source, target, Faults.FloodPayloads(), FloodRate, FloodTime, TestContext.Current.CancellationToken);
        await HoldAsync(Quiet);
        await Faults.RemoveFloodSourceAsync(lab.LanNamespace, lab.Netns(lab.Nodes[0]));

        var rate = sent / FloodTime.TotalSeconds;
        Keeps(Promise.Steady, wire, fault, string.Create(CultureInfo.InvariantCulture, $"a membership flood from a non-peer ({sent} datagrams from {source} to {target} in {FloodTime.TotalSeconds} s, {rate:0}/s)"));
        // Half the rate at least: on the two-core CI machine the blaster shares the CPU with the other suites.
        Assert.True(rate >= FloodRate * 0.5, string.Create(CultureInfo.InvariantCulture, $"the blaster reached {rate:0} datagrams/s, short of {FloodRate}: the row did not test its load"));
        // Refused before any MAC, and counted: the speaker's warning line carries the count since the last one.
        var counted = Refusals().Matches(lab.SpeakerLog(owner)[logBefore..]).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(counted > 0, $"{owner}'s speaker logged no refusal as UnknownSource for the flood:\n{lab.SpeakerLog(owner)[logBefore..]}");
    }

    /// <summary>The controller Lease's holder (a replica's --pod-name), or null while none holds it.</summary>
    private static async Task<string?> HolderAsync(IronLb.Kubernetes.Client.KubeConnection api)
    {
        try
        {
            using var json = JsonDocument.Parse(await api.GetAsync(ControllerLease, TestContext.Current.CancellationToken));
            return json.RootElement.GetProperty("spec").TryGetProperty("holderIdentity", out var h) && h.GetString() is { Length: > 0 } holder ? holder : null;
        }
        catch (IronLb.Kubernetes.Client.KubeApiException)
        {
            return null; // not created yet
        }
    }

    private static int Assigned(ServiceStatusWatch statuses) =>
        statuses.Latest.Count(s => s.Key.StartsWith(MatrixLab.TestNamespace + "/", StringComparison.Ordinal) && s.Value.Length > 0);

    [GeneratedRegex(@"refused (\d+) datagram\(s\) as UnknownSource")]
    private static partial Regex Refusals();
}
