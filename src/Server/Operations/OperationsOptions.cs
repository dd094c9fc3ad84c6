// The settings types are public and keep the project's root namespace, as DocStoreOptions does;
// their files sit beside the part that uses them, with that part's validator.
namespace DocStore.Server;

/// <summary>The Prometheus metrics endpoint (<c>DocStore:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The HTTP/1.1 port that serves <c>/metrics</c> (<c>DocStore:Metrics:Port</c>). Defaults to 0: no
    /// metrics endpoint, so that several processes on one machine start with defaults. The container
    /// image and the chart set 9090.
    /// </summary>
    public int Port { get; set; }
}

/// <summary>Log output (<c>DocStore:Logging</c>).</summary>
public sealed class LoggingOptions
{
    /// <summary>Write one JSON object per log line (<c>DocStore:Logging:Json</c>), for log collectors.</summary>
    public bool Json { get; set; }
}

/// <summary>How the process stops on SIGTERM (<c>DocStore:Shutdown</c>).</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// How long calls in flight at SIGTERM may run before the process exits anyway
    /// (<c>DocStore:Shutdown:GracePeriod</c>). Keep it below Kubernetes' terminationGracePeriodSeconds,
    /// less the preStop delay; the chart derives one from the other. Defaults to 25 seconds.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long, after SIGTERM, the server keeps accepting new calls while its readiness reports
    /// NOT_SERVING, so that load balancers that route by health checks stop sending calls first
    /// (<c>DocStore:Shutdown:DrainDelay</c>). Kubernetes needs none: the chart's preStop delay does this
    /// before SIGTERM. Defaults to zero.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;
}
