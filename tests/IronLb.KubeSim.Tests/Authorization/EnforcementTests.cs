using System.Net;
using System.Net.Http.Headers;
using IronLb.KubeSim.Authorization;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Authorization;

/// <summary>
/// Authentication and authorization over HTTP with RBAC enforced, seen from KubernetesClient and a plain HttpClient:
/// 401 without a known token, ServiceAccount tokens from TokenRequest, 403 in kube-apiserver's words, grants taking
/// effect at once, tokens ending with their account, and the audit of every decision.
/// </summary>
public sealed class EnforcementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<KubeSim> StartAsync(bool enforce = true) => Sim.StartAsync(new KubeSimOptions { EnforceRbac = enforce });

    private static k8s.Kubernetes As(KubeSim api, string token) =>
        new(new KubernetesClientConfiguration { Host = api.BaseUrl.ToString(), AccessToken = token });

    private static async Task<string> ServiceAccountTokenAsync(k8s.Kubernetes admin, string ns, string name)
    {
        if (ns != "default")
        {
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: Ct);
        }
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, ns, cancellationToken: Ct);
        var request = await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, name, ns, cancellationToken: Ct);
        return request.Status.Token;
    }

    private static async Task GrantAsync(k8s.Kubernetes admin, string ns, string serviceAccount, V1PolicyRule rule)
    {
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = serviceAccount }, Rules = [rule] }, ns, cancellationToken: Ct);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = serviceAccount },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = serviceAccount },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = ns }],
        }, ns, cancellationToken: Ct);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("kubesim-sa.forged")]
    public async Task A_request_without_a_known_token_is_401_Unauthorized(string? token)
    {
        await using var api = await StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseUrl };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.GetAsync("api/v1/namespaces", Ct);
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(("Failure", "Unauthorized", "Unauthorized", 401), (status.Status, status.Reason, status.Message, status.Code));
    }

    [Fact]
    public async Task A_service_account_without_a_grant_gets_403_in_kube_apiservers_words_and_a_grant_takes_effect_at_once()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        using var mailer = As(api, await ServiceAccountTokenAsync(admin, "mail", "mailer"));
        await admin.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, "mail", cancellationToken: Ct);
        var patch = new V1Patch("{\"metadata\":{\"labels\":{\"seen\":\"yes\"}}}", V1Patch.PatchType.MergePatch);

        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => mailer.CoreV1.PatchNamespacedServiceStatusAsync(patch, "web", "mail", cancellationToken: Ct));
        await GrantAsync(admin, "mail", "mailer", new V1PolicyRule { ApiGroups = [""], Resources = ["services/status"], Verbs = ["patch"] });
        var patched = await mailer.CoreV1.PatchNamespacedServiceStatusAsync(patch, "web", "mail", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(denied.Response.Content);
        Assert.Equal("services \"web\" is forbidden: User \"system:serviceaccount:mail:mailer\" cannot patch resource \"services/status\" in API group \"\" in the namespace \"mail\"", status.Message);
        Assert.Equal(("Forbidden", 403, "services", "web"), (status.Reason, status.Code, status.Details.Kind, status.Details.Name));
        Assert.Equal("yes", patched.Metadata.Labels["seen"]);
    }

    [Fact]
    public async Task A_cluster_scoped_denial_and_a_collection_denial_are_worded_as_upstream_words_them()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        using var account = As(api, await ServiceAccountTokenAsync(admin, "default", "nobody"));

        var nodes = await Assert.ThrowsAsync<HttpOperationException>(() => account.CoreV1.ListNodeAsync(cancellationToken: Ct));
        var leases = await Assert.ThrowsAsync<HttpOperationException>(() => account.CoordinationV1.ListNamespacedLeaseAsync("default", cancellationToken: Ct));

        Assert.Equal("nodes is forbidden: User \"system:serviceaccount:default:nobody\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
            CrudTestsStatus(nodes).Message);
        Assert.Equal("leases.coordination.k8s.io is forbidden: User \"system:serviceaccount:default:nobody\" cannot list resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"",
            CrudTestsStatus(leases).Message);
    }

    [Fact]
    public async Task A_list_pinned_to_one_name_by_field_selector_is_authorized_by_that_name()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        using var speaker = As(api, await ServiceAccountTokenAsync(admin, "default", "speaker"));
        await GrantAsync(admin, "default", "speaker", new V1PolicyRule { ApiGroups = ["coordination.k8s.io"], Resources = ["leases"], ResourceNames = ["mine"], Verbs = ["list"] });

        var pinned = await speaker.CoordinationV1.ListNamespacedLeaseAsync("default", fieldSelector: "metadata.name=mine", cancellationToken: Ct);
        var other = await Assert.ThrowsAsync<HttpOperationException>(() => speaker.CoordinationV1.ListNamespacedLeaseAsync("default", fieldSelector: "metadata.name=theirs", cancellationToken: Ct));

        Assert.Empty(pinned.Items);
        Assert.Equal(HttpStatusCode.Forbidden, other.Response.StatusCode);
    }

    [Fact]
    public async Task A_server_side_apply_that_creates_also_needs_create_as_upstream_requires()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        using var applier = As(api, await ServiceAccountTokenAsync(admin, "default", "applier"));
        await GrantAsync(admin, "default", "applier", new V1PolicyRule { ApiGroups = ["coordination.k8s.io"], Resources = ["leases"], Verbs = ["patch"] });
        var lease = new V1Patch("{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"mine\"},\"spec\":{\"holderIdentity\":\"a\"}}", V1Patch.PatchType.ApplyPatch);

        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => applier.CoordinationV1.PatchNamespacedLeaseAsync(lease, "mine", "default", fieldManager: "test", cancellationToken: Ct));
        await admin.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "mine" }, Spec = new V1LeaseSpec() }, "default", cancellationToken: Ct);
        var applied = await applier.CoordinationV1.PatchNamespacedLeaseAsync(lease, "mine", "default", fieldManager: "test", cancellationToken: Ct);

        Assert.Equal("leases.coordination.k8s.io \"mine\" is forbidden: User \"system:serviceaccount:default:applier\" cannot create resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"",
            CrudTestsStatus(denied).Message);
        Assert.Equal("a", applied.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Only_a_user_allowed_to_impersonate_may_act_as_another()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        using var account = As(api, await ServiceAccountTokenAsync(admin, "default", "pretender"));
        account.HttpClient.DefaultRequestHeaders.Add("Impersonate-User", "system:serviceaccount:kube-system:admin");
        admin.HttpClient.DefaultRequestHeaders.Add("Impersonate-User", "system:serviceaccount:default:pretender");

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => account.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct));
        var asPretender = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct));

        Assert.Equal("serviceaccounts \"admin\" is forbidden: User \"system:serviceaccount:default:pretender\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"kube-system\"",
            CrudTestsStatus(refused).Message);
        Assert.Equal("pods is forbidden: User \"system:serviceaccount:default:pretender\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            CrudTestsStatus(asPretender).Message);
    }

    [Fact]
    public async Task Deleting_the_service_account_ends_its_tokens()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        using var account = As(api, await ServiceAccountTokenAsync(admin, "default", "gone"));
        var review = new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec { NonResourceAttributes = new V1NonResourceAttributes { Path = "/version", Verb = "get" } } };
        var before = await account.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: Ct);

        await admin.CoreV1.DeleteNamespacedServiceAccountAsync("gone", "default", cancellationToken: Ct);
        var after = await Assert.ThrowsAsync<HttpOperationException>(() => account.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: Ct));

        Assert.True(before.Status.Allowed);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Response.StatusCode);
    }

    [Fact]
    public async Task A_token_request_for_a_missing_account_is_404_and_one_under_ten_minutes_is_invalid()
    {
        await using var api = await StartAsync();
        using var admin = Clients.For(api);
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "short" } }, "default", cancellationToken: Ct);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "nobody", "default", cancellationToken: Ct));
        var tooShort = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } }, "short", "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal(422, (int)tooShort.Response.StatusCode);
    }

    [Fact]
    public async Task Without_enforcement_a_denial_is_audited_but_served_and_any_token_is_still_the_admin()
    {
        await using var api = await StartAsync(enforce: false);
        using var admin = Clients.For(api);
        using var account = As(api, await ServiceAccountTokenAsync(admin, "default", "audited"));
        using var legacy = As(api, "any-old-token");

        var nodes = await account.CoreV1.ListNodeAsync(cancellationToken: Ct);
        var version = await account.Version.GetCodeAsync(cancellationToken: Ct);
        await legacy.CoreV1.ListNodeAsync(cancellationToken: Ct);

        Assert.NotNull(nodes);
        Assert.Equal("32", version.Minor);
        Assert.Equal(
            [new AuditEntry("system:serviceaccount:default:audited", "list", "", "nodes", "", "", "", Allowed: false),
             new AuditEntry("system:serviceaccount:default:audited", "get", "", "", "", "", "/version/", Allowed: true)],
            api.Audit.Of("system:serviceaccount:default:audited"));
        Assert.Empty(api.Audit.Entries.Where(e => e.User != "system:serviceaccount:default:audited"));
    }

    private static V1Status CrudTestsStatus(HttpOperationException e) => Client.CrudTests.Status(e);
}
