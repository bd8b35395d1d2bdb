using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace IronLb.KubeSim.Authorization;

/// <summary>One authorization decision: who asked to do what, and whether RBAC allowed it. <see cref="Resource"/> carries
/// the subresource (<c>services/status</c>); non-resource requests have an empty resource and their <see cref="Path"/>.</summary>
public sealed record AuditEntry(string User, string Verb, string Group, string Resource, string Namespace, string Name, string Path, bool Allowed);

/// <summary>
/// Every decision about a non-admin user since the server started (the admin's requests, which are test setup, are
/// not kept), so tests can compare what each component used with what it was granted. The newest
/// <see cref="Capacity"/> are kept, so a lab left running for days does not grow without bound.
/// </summary>
public sealed class AuthorizationAudit
{
    public const int Capacity = 250_000;

    private readonly ConcurrentQueue<AuditEntry> _entries = new();
    private int _count;

    public ImmutableArray<AuditEntry> Entries => [.. _entries];

    /// <summary>The entries of one user (for a ServiceAccount, <c>system:serviceaccount:NS:NAME</c>).</summary>
    public ImmutableArray<AuditEntry> Of(string user) => [.. _entries.Where(e => e.User == user)];

    internal void Record(RequestAttributes request, bool allowed)
    {
        if (request.User.IsPrivileged)
        {
            return;
        }
        _entries.Enqueue(new AuditEntry(request.User.Name, request.Verb, request.Group, request.CombinedResource,
            request.Namespace, request.Name, request.IsResourceRequest ? "" : request.Path, allowed));
        if (Interlocked.Increment(ref _count) > Capacity && _entries.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
