extern alias server;

using DocStore.Server.Tests.Infrastructure;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server.Storage;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DocStore.Server.Tests.Api;

/// <summary>The health services the probes name, with a store that cannot be reached.</summary>
public sealed class HealthServiceTests
{
    [Fact]
    public async Task An_unreachable_store_makes_readiness_and_overall_not_serving_but_never_liveness()
    {
        using var server = InProcessServer.WithServices(services => services.AddSingleton<IDocumentStore, UnreachableStore>());
        var health = new Health.HealthClient(server.Channel);

        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "readiness" })).Status);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
    }

    private sealed class UnreachableStore : IDocumentStore
    {
        public string TokenScope(CollectionDefinition collection) => collection.Name;

        public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken) =>
            Task.FromResult(StoreResult.Failure(StoreStatus.Unavailable));

        public Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            Task.FromResult(StoreResult.Failure(StoreStatus.Unavailable));

        public Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, server::DocStore.Server.Storage.Query.DocumentFilter? condition, CancellationToken cancellationToken) =>
            Task.FromResult(StoreResult.Failure(StoreStatus.Unavailable));

        public Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, server::DocStore.Server.Storage.Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
        public Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
            Task.FromResult(StoreResult.Failure(StoreStatus.Unavailable));

        public Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            Task.FromResult(StoreResult.Failure(StoreStatus.Unavailable));

        public Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken) =>
            Task.FromResult(StoreResult.Failure(StoreStatus.Unavailable));

        public Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken) =>
            Task.FromResult(ReadManyStoreResult.Failed(StoreResult.Failure(StoreStatus.Unavailable)));

        public Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken) =>
            Task.FromResult(BatchStoreResult.Failed(StoreResult.Failure(StoreStatus.Unavailable)));

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
