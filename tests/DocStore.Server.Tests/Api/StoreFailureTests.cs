extern alias server;

using DocStore.Server.Tests.Infrastructure;
using DocStore.Tests.Shared;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Store outcomes the embedded store cannot be made to produce on demand (throttling, an unreachable
/// store), through the real gRPC stack with a store that answers as told.
/// </summary>
public sealed class StoreFailureTests
{
    private static InProcessServer ServerWith(StoreResult result, bool reachable = true) =>
        InProcessServer.WithServices(services => services.AddScriptedStore(new ScriptedStore(result) { Reachable = reachable }));

    [Fact]
    public async Task Throttling_is_resource_exhausted_with_the_stores_retry_delay()
    {
        using var server = ServerWith(StoreResult.Failure(StoreStatus.Throttled, retryAfter: TimeSpan.FromMilliseconds(1500)));

        var status = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "THROTTLED",
            () => server.Client.GetAsync(new GetRequest { Collection = "items", Id = "x", PartitionKey = "p" }).ResponseAsync);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), status.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan());
    }

    [Fact]
    public async Task An_unavailable_store_is_unavailable_and_not_ready()
    {
        using var server = ServerWith(StoreResult.Failure(StoreStatus.Unavailable, "connection refused"), reachable: false);

        var status = await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE",
            () => server.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct("""{"id":"x","pk":"p"}""") }).ResponseAsync);
        Assert.Contains("connection refused", status.Message, StringComparison.Ordinal);

        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
    }

    [Fact]
    public async Task A_reachable_store_is_serving()
    {
        using var server = ServerWith(StoreResult.NotFound);
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
