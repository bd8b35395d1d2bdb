using IronLb.Fuzz.Exercises;

namespace IronLb.Fuzz.Targets;

/// <summary>The request heads the metrics and health endpoints read from any client that connects (<see cref="HttpHeadExercise"/>).</summary>
internal sealed class HttpHeadTarget : FuzzTarget
{
    public override string Name => "http-head";

    public override string Description => "RequestHeadParser (the /metrics, /healthz and /readyz listener) on raw request bytes";

    public override IReadOnlyList<string> Instrument => ["IronLb.Monitoring.dll"];

    public override void Run(ReadOnlySpan<byte> input) => HttpHeadExercise.Run(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds() =>
    [
        ("prometheus", "GET /metrics HTTP/1.1\r\nHost: 192.0.2.7:7472\r\nUser-Agent: Prometheus/3.0.0\r\nAccept: application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"u8.ToArray()),
        ("kubelet", "GET /healthz HTTP/1.1\r\nHost: 192.0.2.7:7473\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n\r\n"u8.ToArray()),
        ("head-absolute", "HEAD http://[2001:db8::7]:7473/readyz?verbose HTTP/1.1\r\nhost: [2001:db8::7]:7473\r\n\r\n"u8.ToArray()),
        ("http10-bare-lf", "\r\nPOST /metrics HTTP/1.0\nContent-Length: 3\n\nabc"u8.ToArray()),
        ("h2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray()),
    ];
}
