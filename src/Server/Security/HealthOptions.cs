namespace DocStore.Server.Security;

/// <summary>The plaintext health port (<c>DocStore:Health</c>).</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// A port that serves only the gRPC health service, over HTTP/2 without TLS (<c>DocStore:Health:Port</c>), for
    /// kubelet's gRPC probes, which do not speak TLS. Defaults to 0: none.
    /// </summary>
    public int Port { get; set; }
}
