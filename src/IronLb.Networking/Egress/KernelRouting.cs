using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Egress;

/// <summary>One `ip rule` as rtnetlink lists it: the fields IronLB's ownership and matching use.</summary>
internal readonly record struct KernelRule(AddressFamily Family, uint Priority, uint Table, uint? Mark, uint? Mask);

/// <summary>One route as rtnetlink lists it: enough to recognise it and to delete exactly it.</summary>
internal sealed record KernelRoute(AddressFamily Family, uint Table, byte DstLength, IPAddress? Destination, IPAddress? Gateway, uint? OutputInterface, uint? Metric)
{
    /// <summary>The default route of <paramref name="route"/>'s family via its next hop, in its table.</summary>
    public bool Is(EgressRoute route) =>
        Family == route.Family && Table == route.Table && DstLength == 0 && route.NextHop.Equals(Gateway);
}

/// <summary>
/// Reconciles the kernel's policy routing with a plan: adds what is missing (before the nftables rules can mark
/// packets into a table) and removes what is stale (after they no longer do). Owns exactly the rules at the
/// options' priority whose table is one of its tables, and every route in those tables.
/// </summary>
internal sealed class KernelRouting(EgressKernelOptions options, Rtnetlink netlink)
{
    /// <summary>What is there now, IronLB's part only; an error text when the kernel could not be asked.</summary>
    public (List<KernelRule> Rules, List<KernelRoute> Routes, string? Error) ReadOwned()
    {
        var (rules, error) = netlink.DumpRules();
        if (error is not null)
        {
            return ([], [], $"listing rules: {error}");
        }

        var (routes, routeError) = netlink.DumpRoutes();
        if (routeError is not null)
        {
            return ([], [], $"listing routes: {routeError}");
        }

        return (
            rules.Where(r => r.Priority == options.RulePriority && options.OwnsTable(r.Table)).ToList(),
            routes.Where(r => options.OwnsTable(r.Table)).ToList(),
            null);
    }

    public KernelRule RuleOf(EgressRoute route) =>
        new(route.Family, options.RulePriority, route.Table, route.Mark, options.FwmarkMask);

    /// <summary>Adds every route and rule of <paramref name="plan"/> not already in <paramref name="rules"/> and <paramref name="routes"/>.</summary>
    public string? AddMissing(IReadOnlyList<EgressRoute> plan, List<KernelRule> rules, List<KernelRoute> routes)
    {
        foreach (var route in plan)
        {
            // One default route per table: replacing moves a table to a new next hop in one step.
            if (!routes.Any(r => r.Is(route)) && netlink.ReplaceDefaultRoute(route) is { } error)
            {
                return $"adding the route of table {route.Table} via {route.NextHop}: {error}";
            }
        }

        foreach (var route in plan)
        {
            var rule = RuleOf(route);
            if (!rules.Contains(rule) && netlink.AddRule(rule) is { } error)
            {
                return $"adding the rule for mark 0x{route.Mark:x8} to table {route.Table}: {error}";
            }
        }

        return null;
    }

    /// <summary>Removes every rule and route of IronLB's not in <paramref name="plan"/>; every error at once.</summary>
    public string? RemoveStale(IReadOnlyList<EgressRoute> plan, List<KernelRule> rules, List<KernelRoute> routes)
    {
        var errors = new List<string>();
        var wanted = plan.Select(RuleOf).ToHashSet();
        foreach (var rule in rules.Where(r => !wanted.Contains(r)))
        {
            if (netlink.DeleteRule(rule) is { } error)
            {
                errors.Add($"removing the rule to table {rule.Table}: {error}");
            }
        }

        foreach (var route in routes.Where(r => !plan.Any(r.Is)))
        {
            if (netlink.DeleteRoute(route) is { } error)
            {
                errors.Add($"removing a route from table {route.Table}: {error}");
            }
        }

        return errors.Count == 0 ? null : string.Join("; ", errors);
    }
}
