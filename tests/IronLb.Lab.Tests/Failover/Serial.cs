// Every end-to-end class here brings up a whole lab (KubeSim, a controller, a speaker per node) on two shared
// cores, and each picks its management subnet by looking at the host: run them one at a time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
