using System.CommandLine;
using System.Net;
using IronLb.Cli;
using IronLb.CommandLine;
using IronLb.Controller;
using IronLb.Kubernetes.Client;
using IronLb.Monitoring;

namespace IronLb.Commands;

/// <summary>`ironlb controller`: the allocation controller against a cluster (MetalLB's controller flags where they exist).</summary>
internal static class ControllerCommand
{
    /// <summary>MetalLB's controller ports.</summary>
    public const int MetricsPort = 9120;
    public const int HealthPort = 17472;

    public static Command Create(CliConsole console)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Path to a kubeconfig; in-cluster configuration when omitted." };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of the IPAddressPools (default: $METALLB_NAMESPACE, the service account's namespace, metallb-system)." };
        var lbClass = new Option<string>("--lb-class") { Description = "The spec.loadBalancerClass to handle; empty handles Services without a class.", DefaultValueFactory = _ => "" };
        var logLevel = new Option<string>("--log-level") { Description = "all, debug, info, warn, error or none.", DefaultValueFactory = _ => "info" };
        logLevel.AcceptOnlyFromAmong([.. Logging.Levels]);
        var metrics = new Option<string?>("--metrics-address")
        {
            Description = "Prometheus /metrics listen address, [host]:port; \":9120\" is every interface, empty disables (default: port 9120 on $METALLB_HOST, the pod IP in deploy/, else 127.0.0.1).",
        };
        var health = new Option<string?>("--health-address")
        {
            Description = "/healthz and /readyz listen address, [host]:port; empty disables (default: port 17472 on the same host as the metrics).",
        };
        var podName = new Option<string?>("--pod-name") { Description = "This pod's name (default: $METALLB_POD_NAME); the leader-election identity." };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Run as one of several replicas; only the holder of a coordination.k8s.io Lease reconciles." };
        var leaseDuration = DurationOption.Create("--lease-duration", "How long a lease is valid without renewal.", TimeSpan.FromSeconds(15), mustBePositive: true);
        var renewDeadline = DurationOption.Create("--renew-deadline", "How long the leader keeps trying to renew before it stops reconciling.", TimeSpan.FromSeconds(10), mustBePositive: true);
        var retryPeriod = DurationOption.Create("--retry-period", "How often replicas try to acquire or renew the lease.", TimeSpan.FromSeconds(2), mustBePositive: true);
        var poolRemovalGrace = DurationOption.Create(
            "--pool-removal-grace",
            "How long a Service keeps an address whose pool was deleted or changed to leave it out; a pool re-applied in time keeps the assignment (a GitOps re-sync). 0 unassigns at once, as MetalLB.",
            TimeSpan.FromSeconds(30));

        var attemptTimeout = DurationOption.Create("--renew-attempt-timeout", "How long one acquire or renew attempt may take (default: half the renew deadline).", TimeSpan.FromSeconds(5), mustBePositive: true);
        var writeTimeout = DurationOption.Create("--write-timeout", "How long the leader's each write may take; renew deadline + this must be under the lease duration (default: 80% of their difference).", TimeSpan.FromSeconds(4), mustBePositive: true);
        var requestTimeout = DurationOption.Create("--request-timeout", "Per-attempt timeout of every API request (watches excepted).", TimeSpan.FromSeconds(10), mustBePositive: true);
        var watchIdle = DurationOption.Create("--watch-idle-timeout", "A watch with no event or bookmark for this long is restarted.", TimeSpan.FromSeconds(90), mustBePositive: true);
        var relist = DurationOption.Create("--relist-interval", "How often the caches relist anyway (jittered), to find changes a watch lost.", TimeSpan.FromMinutes(10), mustBePositive: true);

        var command = new Command("controller", "Run the address allocation controller against a cluster.")
        {
            kubeconfig, ns, lbClass, logLevel, metrics, health, podName, leaderElect, leaseDuration, renewDeadline, retryPeriod, poolRemovalGrace,
            attemptTimeout, writeTimeout, requestTimeout, watchIdle, relist,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var host = ListenAddress.FromEnvironment(Environment.GetEnvironmentVariable(ListenAddress.HostVariable), out var hostError);
            if (hostError is not null)
            {
                console.Error.WriteLine($"ironlb controller: {hostError}");
                return ExitCodes.UnusableInput;
            }

            // The two lease bounds follow the other durations unless given.
            TimeSpan? Given(Option<Duration> option) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option).TimeSpan : null;
            var options = new ControllerOptions
            {
                Namespace = KubeConnection.ConfigNamespace(parse.GetValue(ns)),
                LoadBalancerClass = parse.GetValue(lbClass) ?? "",
                // Kubernetes probes and Prometheus reach the pod at its IP; without one, only this machine can.
                MetricsAddress = ListenAddress.Resolve(parse.GetValue(metrics), host ?? IPAddress.Loopback, MetricsPort),
                HealthAddress = ListenAddress.Resolve(parse.GetValue(health), host ?? IPAddress.Loopback, HealthPort),
                PodName = parse.GetValue(podName) ?? Environment.GetEnvironmentVariable("METALLB_POD_NAME"),
                LeaderElect = parse.GetValue(leaderElect),
                LeaseDuration = parse.GetValue(leaseDuration).TimeSpan,
                RenewDeadline = parse.GetValue(renewDeadline).TimeSpan,
                RetryPeriod = parse.GetValue(retryPeriod).TimeSpan,
                PoolRemovalGrace = parse.GetValue(poolRemovalGrace).TimeSpan,
                RenewAttemptTimeout = Given(attemptTimeout),
                WriteTimeout = Given(writeTimeout),
                RequestTimeout = parse.GetValue(requestTimeout).TimeSpan,
                WatchIdleTimeout = parse.GetValue(watchIdle).TimeSpan,
                RelistInterval = parse.GetValue(relist).TimeSpan,
            };

            // Lease timing is checked whether or not --leader-elect is on, so a bad manifest fails before it is scaled up.
            var errors = (options with { LeaderElect = true }).Validate();
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    console.Error.WriteLine($"ironlb controller: {error}");
                }

                return ExitCodes.UnusableInput;
            }

            using var loggerFactory = Logging.CreateFactory(Logging.Parse(parse.GetValue(logLevel) ?? "info"));
            try
            {
                await ControllerHost.RunAsync(options, parse.GetValue(kubeconfig), loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FormatException or k8s.Exceptions.KubeConfigException or IOException)
            {
                console.Error.WriteLine($"ironlb controller: {e.Message}");
                return ExitCodes.UnusableInput;
            }

            return 0;
        });
        return command;
    }
}
