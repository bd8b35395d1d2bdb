using IronLb.KubeSim.Tests.Support;

namespace IronLb.KubeSim.Tests.Kubectl;

/// <summary>The real kubectl against KubeSim with RBAC enforced and deploy/ applied: <c>create token</c>,
/// <c>auth can-i</c> (one question, <c>--list</c>, and <c>--as</c> impersonation by the admin), and a denial's message.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class KubectlAuthTests
{
    private const string Speaker = "system:serviceaccount:metallb-system:ironlb-speaker";

    private static async Task<(KubeSim Api, Support.Kubectl Kubectl)> InstalledAsync()
    {
        var api = await Sim.StartAsync(new KubeSimOptions { EnforceRbac = true });
        var kubectl = new Support.Kubectl(api);
        await kubectl.OkAsync($"apply -k {Path.Combine(Repository.Root, "deploy")}");
        return (api, kubectl);
    }

    [Fact]
    public async Task Create_token_gives_a_token_that_acts_as_the_service_account()
    {
        var (api, kubectl) = await InstalledAsync();
        await using var _ = api;
        using var __ = kubectl;

        var token = (await kubectl.OkAsync("create token ironlb-speaker -n metallb-system")).Trim();
        var services = await kubectl.RunAsync($"get services -A --token {token}");
        // Its Role reads Secrets in metallb-system only (a BGPPeer's passwordSecret), never elsewhere.
        var secrets = await kubectl.RunAsync($"get secrets -n kube-system --token {token}");
        var whoami = await kubectl.OkAsync($"auth can-i list services --all-namespaces --token {token}");

        Assert.Equal(0, services.ExitCode);
        Assert.NotEqual(0, secrets.ExitCode);
        Assert.Contains($"Error from server (Forbidden): secrets is forbidden: User \"{Speaker}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kube-system\"", secrets.Stderr);
        Assert.Equal("yes", whoami.Trim());
    }

    [Theory]
    [InlineData("patch leases", "yes")]
    [InlineData("watch leases.coordination.k8s.io", "yes")]
    [InlineData("delete leases", "no")]
    [InlineData("patch servicel2statuses.metallb.io --subresource=status", "yes")]
    [InlineData("update services --subresource=status", "no")]
    [InlineData("list nodes", "yes")]
    [InlineData("get secrets", "no")]
    public async Task Can_i_as_the_speaker_answers_from_deploys_rules(string question, string answer)
    {
        var (api, kubectl) = await InstalledAsync();
        await using var _ = api;
        using var __ = kubectl;

        var result = await kubectl.RunAsync($"auth can-i {question} -n metallb-system --as {Speaker}");

        Assert.Equal(answer, result.Stdout.Trim());
        Assert.Equal(answer == "yes" ? 0 : 1, result.ExitCode);
    }

    [Fact]
    public async Task Can_i_list_as_the_speaker_prints_its_rights()
    {
        var (api, kubectl) = await InstalledAsync();
        await using var _ = api;
        using var __ = kubectl;

        var list = await kubectl.OkAsync($"auth can-i --list -n metallb-system --as {Speaker}");

        var rows = list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(l => !l.StartsWith('[') && !l.Contains(".authorization.k8s.io", StringComparison.Ordinal) && !l.Contains(".authentication.k8s.io", StringComparison.Ordinal));
        Assert.Equal(SpeakerRights.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
        Assert.Contains("[/version] [] [get]", list.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    // deploy/rbac/speaker.yaml as kubectl prints it (Resources, Non-Resource URLs, Resource Names, Verbs); the default
    // policy's discovery paths and self reviews, which every authenticated user has, are left out.
    private static readonly string[] SpeakerRights =
    [
        "events [] [] [create]",
        "configurationstates.metallb.io [] [] [get create patch]",
        "configurationstates.metallb.io/status [] [] [patch]",
        "pods [] [] [get]",
        "servicel2statuses.metallb.io [] [] [list watch create delete]",
        "servicel2statuses.metallb.io/status [] [] [patch]",
        "leases.coordination.k8s.io [] [] [list watch create patch]",
        "namespaces [] [] [list watch]",
        "nodes [] [] [list watch]",
        "services [] [] [list watch]",
        "endpointslices.discovery.k8s.io [] [] [list watch]",
        "servicecidrs.networking.k8s.io [] [] [list watch]",
        "ipaddresspools.metallb.io [] [] [list watch]",
        "l2advertisements.metallb.io [] [] [list watch]",
        "bgppeers.metallb.io [] [] [list watch]",
        "bgpadvertisements.metallb.io [] [] [list watch]",
        "communities.metallb.io [] [] [list watch]",
        "secrets [] [] [list watch]",
        "servicebgpstatuses.metallb.io [] [] [list watch create delete]",
        "servicebgpstatuses.metallb.io/status [] [] [patch]",
    ];
}
