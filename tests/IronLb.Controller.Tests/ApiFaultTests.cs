using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>
/// The controller host against API faults over real HTTP, KubeSim injecting them: the leader black-holed
/// while Services are being created (a snapshot of every Service's status each 50 ms never shows one address
/// on two Services, and the other replica takes over); a controller black-holed and healed; the API server
/// stopped and started again. Timings are short so each row takes seconds.
/// </summary>
[Trait("Category", Category.Kubectl)]
[Trait("Category", Category.Slow)]
public sealed class ApiFaultTests
{
    private static ControllerOptions Replica(string identity, bool leaderElect = true) => new()
    {
        LeaderElect = leaderElect,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
        RequestTimeout = TimeSpan.FromSeconds(1),
        WatchIdleTimeout = TimeSpan.FromSeconds(4),
        MetricsAddress = "",
        HealthAddress = "",
        WatchTimeoutSeconds = 30,
    };

    // Bookmarks every second keep healthy watches inside their 4 s idle timeout.
    private static Task<ControllerHarness> HarnessAsync() =>
        ControllerHarness.StartAsync(new KubeSim.KubeSimOptions { BookmarkInterval = TimeSpan.FromSeconds(1) });

    [Fact]
    public async Task The_leader_black_holed_while_services_are_created_never_lets_one_address_reach_two_services_and_the_other_takes_over()
    {
        await using var harness = await HarnessAsync();
        await PoolAsync(harness, "192.0.2.0/28");
        harness.StartHost(Replica("replica-a"));
        harness.StartHost(Replica("replica-b"));
        await CreateServiceAsync(harness, "svc-0");
        await WaitForAddressAsync(harness, "svc-0");
        var leader = await HolderAsync(harness);

        using var sampling = new CancellationTokenSource();
        var violations = new ConcurrentQueue<string>();
        var samples = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var services = await harness.Client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: sampling.Token);
                foreach (var shared in services.Items.SelectMany(s => ControllerHarness.IngressOf(s).Select(ip => (ip, s.Metadata.Name))).GroupBy(p => p.ip).Where(g => g.Count() > 1))
                {
                    violations.Enqueue($"{shared.Key} on {string.Join(", ", shared.Select(p => p.Name))}");
                }

                Interlocked.Increment(ref samples);
                await Task.Delay(50, sampling.Token);
            }
        });

        for (var i = 1; i <= 10; i++)
        {
            if (i == 4)
            {
                harness.Api.Faults.BlackHole(leader);
            }

            await CreateServiceAsync(harness, $"svc-{i}");
            await Task.Delay(200);
        }

        for (var i = 0; i <= 10; i++)
        {
            await WaitForAddressAsync(harness, $"svc-{i}");
        }

        var successor = await HolderAsync(harness);

        // The old leader comes back as a follower: still one answer per address.
        harness.Api.Faults.HealAll();
        await CreateServiceAsync(harness, "svc-after");
        await WaitForAddressAsync(harness, "svc-after");
        await sampling.CancelAsync();
        await sampler.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.NotEqual(leader, successor);
        Assert.Empty(violations);
        Assert.True(samples > 20, $"only {samples} snapshots");
        var all = (await harness.LoadBalancersAsync()).Select(s => ControllerHarness.IngressOf(s).Single()).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task A_controller_black_holed_for_a_while_times_out_instead_of_hanging_and_converges_after_healing()
    {
        await using var harness = await HarnessAsync();
        await PoolAsync(harness, "192.0.2.0/28");
        var host = harness.StartHost(Replica("solo", leaderElect: false));
        await CreateServiceAsync(harness, "before");
        await WaitForAddressAsync(harness, "before");

        harness.Api.Faults.BlackHole("solo");
        await CreateServiceAsync(harness, "during");
        await Eventually.WaitForAsync(() => harness.Api.Faults.Held >= 4, "the controller's requests being held");
        harness.Api.Faults.HealAll();

        await WaitForAddressAsync(harness, "during");
        Assert.False(host.Run.IsCompleted);
    }

    [Fact]
    public async Task The_API_server_stopped_and_started_again_finds_the_leader_back_and_every_service_served()
    {
        await using var harness = await HarnessAsync();
        await PoolAsync(harness, "192.0.2.0/28");
        var host = harness.StartHost(Replica("replica-a"));
        await CreateServiceAsync(harness, "before");
        await WaitForAddressAsync(harness, "before");

        await harness.Api.StopServingAsync();
        for (var i = 0; i < 3; i++)
        {
            harness.Api.Create("v1", "services", "default", $$$"""{"metadata":{"name":"while-down-{{{i}}}"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}""");
        }

        // Longer than the lease: the term ends, and the leader must win it back.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await harness.Api.StartServingAsync();

        for (var i = 0; i < 3; i++)
        {
            await WaitForAddressAsync(harness, $"while-down-{i}");
        }

        Assert.Equal("replica-a", await HolderAsync(harness));
        Assert.False(host.Run.IsCompleted);
    }

    private static async Task PoolAsync(ControllerHarness harness, string cidr)
    {
        harness.Api.Create("metallb.io/v1beta1", "ipaddresspools", "metallb-system",
            $$$"""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool","namespace":"metallb-system"},"spec":{"addresses":["{{{cidr}}}"]}}""");
        await Task.CompletedTask;
    }

    private static Task CreateServiceAsync(ControllerHarness harness, string name) =>
        harness.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");

    private static Task WaitForAddressAsync(ControllerHarness harness, string name) =>
        ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", name), s => ControllerHarness.IngressOf(s).Count == 1, $"an address on {name}", seconds: 90);

    private static async Task<string> HolderAsync(ControllerHarness harness) =>
        (await harness.Client.CoordinationV1.ReadNamespacedLeaseAsync("ironlb-controller", "metallb-system")).Spec.HolderIdentity ?? "";
}
