extern alias server;

using server::DocStore.Server.Storage;

namespace DocStore.Client.Tests.Infrastructure;

/// <summary>
/// A store that answers every call with one result, for the outcomes the embedded store cannot be made to
/// produce on demand (throttling, an unreachable store, a slow store). Counts the calls it receives.
/// A delay applies to reads only (writes answer at once, to warm the server up) and ignores cancellation,
/// as a store stuck on the network does, so that the client's deadline or cancellation decides.
/// </summary>
internal sealed class ScriptedStore(StoreResult result, TimeSpan? delay = null) : IDocumentStore
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string TokenScope(CollectionDefinition collection) => collection.Name;

    public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken) =>
        AnswerAsync(delay);

    public Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
        AnswerAsync(wait: null);

    public Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, server::DocStore.Server.Storage.Query.DocumentFilter? condition, CancellationToken cancellationToken) =>
        AnswerAsync(wait: null);

    public async Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, server::DocStore.Server.Storage.Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken) =>
        AsPage(await AnswerAsync(delay), continuation: null);

    public async Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken) =>
        AsPage(await AnswerAsync(delay), continuation: "scripted");

    public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Delay(timeout, cancellationToken);
    public Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        AnswerAsync(wait: null);

    public Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
        AnswerAsync(wait: null);

    public Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken) =>
        AnswerAsync(wait: null);

    public async Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken) =>
        await AnswerAsync(delay) is { Document: { } document } ? ReadManyStoreResult.Success([.. keys.Select(_ => document)], document.SessionToken, 1) : ReadManyStoreResult.Failed(result);

    public async Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken) =>
        await AnswerAsync(wait: null) is { Document: { } document } ? BatchStoreResult.Success([.. operations.Select(_ => result)], document.SessionToken, 1) : BatchStoreResult.Failed(result);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    private static StorePage AsPage(StoreResult answer, string? continuation) =>
        answer.Document is { } document
            ? StorePage.Success([new StoredItem(new DocumentKey("scripted", "scripted"), document)], continuation, document.SessionToken, document.RequestCharge)
            : StorePage.Failure(answer.Status, answer.Message, answer.RetryAfter);

    private async Task<StoreResult> AnswerAsync(TimeSpan? wait)
    {
        Interlocked.Increment(ref _calls);
        if (wait is not null)
        {
            await Task.Delay(wait.Value, CancellationToken.None);
        }

        return result;
    }
}
