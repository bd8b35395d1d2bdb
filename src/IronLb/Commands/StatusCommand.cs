using System.CommandLine;
using IronLb.Cli;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Status;
using IronLb.Output;

namespace IronLb.Commands;

/// <summary>
/// `ironlb status`: the campus documentation's hand-kept table, live — every LoadBalancer Service with its
/// addresses, pool, announcing node and interfaces and last Warning, exact pool usage, and every speaker
/// with where its ARP and NDP replies come from, and each node's BGP sessions.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Path to a kubeconfig; in-cluster configuration or ~/.kube/config when omitted." };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of the MetalLB objects (default: $METALLB_NAMESPACE, the service account's namespace, metallb-system)." };
        var output = CommonOptions.Output();
        var command = new Command("status", "Show every LoadBalancer Service with its addresses, pool and announcing node, pool usage, and the speakers, from a live cluster.")
        {
            kubeconfig, ns, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using var connection = KubeConnection.Create(parse.GetValue(kubeconfig));
                var status = await ClusterStatusReader.ReadAsync(
                    connection,
                    KubeConnection.ConfigNamespace(parse.GetValue(ns)),
                    cancellationToken).ConfigureAwait(false);
                var result = status.Plan;
                if (parse.GetValue(output) == "json")
                {
                    PlanJsonWriter.Write(status, console.Output);
                }
                else
                {
                    PlanTableWriter.WritePools(result, console.Output);
                    console.Output.WriteLine();
                    PlanTableWriter.WriteServices(result, console.Output);
                    console.Output.WriteLine();
                    PlanTableWriter.WriteSpeakers(status.Speakers, console.Output);
                    console.Output.WriteLine();
                    if (BgpSessionsWriter.AnyBgp(status.Speakers))
                    {
                        BgpSessionsWriter.WriteTable(status.Speakers, console.Output);
                        console.Output.WriteLine();
                    }

                    PlanTableWriter.WriteErrors(result.Errors, console.Output);
                }

                // A BGP session that is not up is a finding too: its routers send nothing to this node.
                return result.Errors.IsEmpty && result.Services.All(s => s.Events.IsEmpty) && BgpSessionsWriter.AllEstablished(status.Speakers)
                    ? 0
                    : ExitCodes.Findings;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or k8s.Exceptions.KubeConfigException or IOException)
            {
                console.Error.WriteLine($"ironlb status: {e.Message}");
                return ExitCodes.UnusableInput;
            }
        });
        return command;
    }
}
