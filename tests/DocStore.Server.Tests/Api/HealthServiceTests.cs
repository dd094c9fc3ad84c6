extern alias server;

using DocStore.Server.Tests.Infrastructure;
using DocStore.Tests.Shared;
using Grpc.Health.V1;
using server::DocStore.Server.Storage;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DocStore.Server.Tests.Api;

/// <summary>The health services the probes name, with a store that cannot be reached.</summary>
public sealed class HealthServiceTests
{
    [Fact]
    public async Task An_unreachable_store_makes_readiness_and_overall_not_serving_but_never_liveness()
    {
        using var server = InProcessServer.WithServices(services => services.AddScriptedStore(new ScriptedStore(StoreResult.Failure(StoreStatus.Unavailable)) { Reachable = false }));
        var health = new Health.HealthClient(server.Channel);

        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
    }
}
