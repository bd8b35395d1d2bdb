using k8s;

namespace IronLb.Controller.Tests;

[Trait("Category", Category.Kubectl)]
public sealed class RestartSafetyTests
{
    [Fact]
    public async Task Killing_the_controller_five_times_under_churn_never_moves_or_doubles_an_address()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("pool", """["192.0.2.0/24","198.51.100.0/24"]""");
        for (var i = 0; i < 200; i++)
        {
            await harness.CreateServiceAsync("default", $"svc-{i:000}");
        }

        var controller = harness.StartController();
        var held = await AllAssignedAsync(harness, 200);
        var next = 200;
        for (var round = 0; round < 5; round++)
        {
            // Churn while the controller runs, then kill it mid-flight and churn while it is down.
            var creating = Enumerable.Range(next, 10).Select(i => harness.CreateServiceAsync("default", $"svc-{i:000}")).ToList();
            var victims = held.Keys.Order(StringComparer.Ordinal).Skip(round * 7).Take(5).ToList();
            var deleting = victims.Select(name => harness.Client.CoreV1.DeleteNamespacedServiceAsync(name, "default")).ToList();
            await harness.KillAsync(controller);
            await Task.WhenAll(creating);
            await Task.WhenAll(deleting);
            for (var i = next + 10; i < next + 15; i++)
            {
                await harness.CreateServiceAsync("default", $"svc-{i:000}");
            }

            next += 15;
            foreach (var victim in victims)
            {
                held.Remove(victim);
            }

            controller = harness.StartController();
            var now = await AllAssignedAsync(harness, held.Count + 15);
            foreach (var (name, ip) in held)
            {
                Assert.True(now.TryGetValue(name, out var current) && current == ip, $"round {round}: {name} held {ip}, now {(now.TryGetValue(name, out var c) ? c : "nothing")}");
            }

            held = now;
        }
    }

    // Waits until exactly `count` Services exist and each has one address; asserts no address is held twice.
    private static async Task<Dictionary<string, string>> AllAssignedAsync(ControllerHarness harness, int count)
    {
        var services = await ControllerHarness.EventuallyAsync(
            () => harness.LoadBalancersAsync(),
            list => list.Count == count && list.All(s => ControllerHarness.IngressOf(s).Count == 1),
            $"{count} services with one address each",
            seconds: 120);
        var byName = services.ToDictionary(s => s.Metadata.Name, s => ControllerHarness.IngressOf(s)[0]);
        var duplicates = byName.GroupBy(p => p.Value).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(',', g.Select(p => p.Key))}").ToList();
        Assert.True(duplicates.Count == 0, "addresses held twice: " + string.Join("; ", duplicates));
        return byName;
    }
}
