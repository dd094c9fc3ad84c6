using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocStore.Server.Operations;

/// <summary>
/// The gRPC health services the probes ask for, and the tags that put a health check in them.
/// <c>liveness</c> holds only checks of the process itself, never Redis or the store, so that an
/// outage of either cannot restart pods; <c>readiness</c> and the overall service <c>""</c> hold the
/// store and the shutdown state.
/// </summary>
internal static class HealthServices
{
    /// <summary>The service the liveness probe checks.</summary>
    public const string Liveness = "liveness";

    /// <summary>The service the readiness probe checks.</summary>
    public const string Readiness = "readiness";

    /// <summary>The tag of checks that belong to <see cref="Liveness"/>.</summary>
    public const string LiveTag = "live";

    /// <summary>The tag of checks that belong to <see cref="Readiness"/> and the overall service.</summary>
    public const string ReadyTag = "ready";
}

/// <summary>Whether the process has begun to shut down; set once, on SIGTERM.</summary>
internal sealed class ShutdownState
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void BeginDraining() => _draining = true;
}

/// <summary>Healthy while the process can answer at all: the liveness probe's only check.</summary>
internal sealed class ProcessHealthCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("The process is running."));
}

/// <summary>Unhealthy from SIGTERM on, so that readiness turns NOT_SERVING while calls in flight finish.</summary>
internal sealed class ShutdownHealthCheck(ShutdownState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsDraining
            ? HealthCheckResult.Unhealthy("The server is shutting down.")
            : HealthCheckResult.Healthy());
}
