using DocStore.Client;
using Grpc.Core;

namespace TestingConsumer;

/// <summary>Pure unit tests: a fake client that answers with what DocStoreModelFactory builds.</summary>
public sealed class ModelFactoryTests
{
    [Fact]
    public async Task A_fake_client_returns_factory_responses()
    {
        var order = new Order("o1", "alice", ["book"], "open");
        var fake = new FakeDocStore(DocStoreModelFactory.DocumentResponse(order, "o1", "alice", etag: "\"7\"", requestCharge: 1.5));

        var found = await new OrderService(fake).FindAsync("alice", "o1");

        Assert.Equal(order, found);
    }

    [Fact]
    public async Task A_fake_client_throws_factory_errors_of_the_real_types()
    {
        var fake = new FakeDocStore(error: DocStoreModelFactory.Error(StatusCode.NotFound, DocStoreErrorReasons.DocumentNotFound));
        Assert.Null(await new OrderService(fake).FindAsync("alice", "o1"));

        var closed = new FakeDocStore(error: DocStoreModelFactory.Error(StatusCode.FailedPrecondition, DocStoreErrorReasons.ConditionNotMet));
        Assert.False(await new OrderService(closed).AddItemAsync("alice", "o1", "pen"));

        // Not a missing document: the service must not swallow it.
        var session = new FakeDocStore(error: DocStoreModelFactory.Error(StatusCode.NotFound, DocStoreErrorReasons.ReadSessionNotAvailable));
        await Assert.ThrowsAsync<DocStoreSessionNotAvailableException>(() => new OrderService(session).FindAsync("alice", "o1"));

        var throttled = (DocStoreThrottledException)DocStoreModelFactory.Error(StatusCode.ResourceExhausted, DocStoreErrorReasons.Throttled, retryAfter: TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.FromMilliseconds(250), throttled.RetryAfter);
    }

    [Fact]
    public async Task A_fake_batch_is_built_and_answered()
    {
        var batch = DocStoreModelFactory.Batch("orders", "alice", (b, _, _) => Task.FromResult(
            DocStoreModelFactory.BatchResponse([new Order("o1", "alice", [], "open"), null], ["\"1\"", null], "0:-1#5", 2)));

        var response = await batch.Create(new Order("o1", "alice", [], "open")).Delete("o0").ExecuteAsync();

        Assert.Equal(2, batch.Count);
        Assert.Equal("o1", response.GetDocument<Order>(0)!.Id);
        Assert.Null(response.GetDocument<Order>(1));
        Assert.Equal("0:-1#5", response.SessionToken);
    }

    /// <summary>Answers every Get and Patch with one response or one error.</summary>
    private sealed class FakeDocStore(DocumentResponse<Order>? response = null, DocStoreException? error = null) : DocStoreClient
    {
        private Task<DocumentResponse<T>> Answer<T>() =>
            error is not null ? Task.FromException<DocumentResponse<T>>(error) : Task.FromResult((DocumentResponse<T>)(object)response!);

        public override Task<DocumentResponse<T>> GetAsync<T>(string collection, string id, string partitionKey, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => Answer<T>();

        public override Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, string? ifMatch = null, DocumentFilter? condition = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => Answer<T>();

        public override Task<DocumentResponse<T>> UpsertAsync<T>(string collection, T document, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<DocumentResponse<T>> CreateAsync<T>(string collection, T document, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<DocumentResponse<T>> ReplaceAsync<T>(string collection, T document, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<DeleteResult> DeleteAsync(string collection, string id, string partitionKey, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<ReadManyResponse<T>> ReadManyAsync<T>(string collection, IEnumerable<(string Id, string PartitionKey)> keys, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override IAsyncEnumerable<DocumentResponse<T>> QueryAsync<T>(string collection, string? partitionKey, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<QueryPage<T>> QueryPageAsync<T>(string collection, string? partitionKey, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, string? pageToken = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<ChangesPage<T>> ReadChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, int maxItems = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override IAsyncEnumerable<ChangesPage<T>> WatchChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override DocStoreBatch Batch(string collection, string partitionKey) => throw new NotSupportedException();

        public override string? GetSessionToken(string collection, string partitionKey) => null;

        public override void SetSessionToken(string collection, string partitionKey, string? sessionToken)
        {
        }
    }
}
