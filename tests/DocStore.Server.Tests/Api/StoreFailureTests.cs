extern alias server;

using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server.Storage;
using DocumentKey = server::DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Tests.Api;

/// <summary>
/// Store outcomes the embedded store cannot be made to produce on demand (throttling, an unreachable
/// store), through the real gRPC stack with a store that answers as told.
/// </summary>
public sealed class StoreFailureTests
{
    private static InProcessServer ServerWith(StoreResult result, bool reachable = true) =>
        InProcessServer.WithServices(services => services.AddSingleton<IDocumentStore>(new ScriptedStore(result, reachable)));

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

    private sealed class ScriptedStore(StoreResult result, bool reachable) : IDocumentStore
    {
        public string TokenScope(CollectionDefinition collection) => collection.Name;

        public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken) =>
            Task.FromResult(result);

        public Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            Task.FromResult(result);

        public Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, server::DocStore.Server.Storage.Query.DocumentFilter? condition, CancellationToken cancellationToken) =>
            Task.FromResult(result);

        public Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, server::DocStore.Server.Storage.Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken) =>
            Task.FromResult(result.Status == StoreStatus.Ok ? StorePage.Success([], null, null, 1) : StorePage.Failure(result.Status, result.Message, result.RetryAfter));

        public Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken) =>
            Task.FromResult(result.Status == StoreStatus.Ok ? StorePage.Success([], "c", null, 1) : StorePage.Failure(result.Status, result.Message, result.RetryAfter));

        public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
            Task.Delay(timeout, cancellationToken);
        public Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
            Task.FromResult(result);

        public Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            Task.FromResult(result);

        public Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken) =>
            Task.FromResult(result);

        public Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken) =>
            Task.FromResult(ReadManyStoreResult.Failed(result));

        public Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken) =>
            Task.FromResult(BatchStoreResult.Failed(result));

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(reachable);
    }
}
