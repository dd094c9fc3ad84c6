using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocStore.Server.Storage;

/// <summary>Healthy while the store answers; reported by the gRPC health service.</summary>
internal sealed class StoreHealthCheck(IStoreProbe store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.IsReachableAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The store cannot be reached.");
}
