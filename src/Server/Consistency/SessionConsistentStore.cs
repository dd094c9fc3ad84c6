using System.Collections.Concurrent;
using DocStore.Server.Storage;

namespace DocStore.Server.Consistency;

/// <summary>
/// The store the gRPC service receives: the configured store, with session tokens shared across
/// calls, and across pods when <c>DocStore:SessionTokens:Sharing</c> is <c>Redis</c>. Before every
/// read it passes the store the token <see cref="SessionTokenResolver"/> picks (the caller's merged
/// with Redis's and this process's session), and records the token the read returned in this
/// process's session; after every successful write it advances those tokens for the written
/// partition, before the write is acknowledged. A failed write advances nothing.
/// </summary>
/// <remarks>
/// Each member of <see cref="IDocumentStore"/> is classified by <see cref="StoreOperationAttribute"/>,
/// and a contract test checks that every read and write of this class handles tokens accordingly.
/// </remarks>
internal sealed class SessionConsistentStore(IDocumentStore inner, SessionTokenResolver tokens) : IDocumentStore
{
    private readonly ConcurrentDictionary<string, string> _scopes = new(StringComparer.Ordinal);

    /// <summary>The store this one wraps.</summary>
    public IDocumentStore Inner => inner;

    /// <inheritdoc />
    public string TokenScope(CollectionDefinition collection) =>
        // A store's scope for a collection is fixed for the life of the process: compute it once.
        _scopes.GetOrAdd(collection.Name, static (_, state) => state.inner.TokenScope(state.collection), (inner, collection));

    /// <inheritdoc />
    public async Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken)
    {
        var token = await tokens.ForReadAsync(TokenScope(collection), key.PartitionKey, sessionToken, cancellationToken);
        return Observed(collection, await inner.ReadAsync(collection, key, token, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
        await AdvancedAsync(collection, key.PartitionKey, await inner.UpsertAsync(collection, key, body, ifMatch, cancellationToken));

    /// <inheritdoc />
    public async Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, Storage.Query.DocumentFilter? condition, CancellationToken cancellationToken) =>
        await AdvancedAsync(collection, key.PartitionKey, await inner.PatchAsync(collection, key, operations, ifMatch, condition, cancellationToken));

    /// <inheritdoc />
    /// <remarks>
    /// A partition's query reads at the caller's token merged with the partition's shared one. A
    /// cross-partition query has no one partition: it reads at the caller's token merged with this
    /// process's session; another pod's write that the caller holds no token for may be missing for up
    /// to the replicas' lag.
    /// </remarks>
    public async Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, Storage.Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken)
    {
        var token = await ForPartitionAsync(collection, partitionKey, sessionToken, cancellationToken);
        return Observed(collection, await inner.QueryAsync(collection, partitionKey, query, pageSize, continuation, token, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>One partition's feed reads at its shared token; the whole collection's as a cross-partition query does.</remarks>
    public async Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken)
    {
        var token = await ForPartitionAsync(collection, partitionKey, sessionToken, cancellationToken);
        return Observed(collection, await inner.ReadChangesAsync(collection, partitionKey, start, maxItems, token, cancellationToken));
    }

    /// <inheritdoc />
    public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.WaitForChangesAsync(collection, timeout, cancellationToken);

    /// <inheritdoc />
    public async Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        await AdvancedAsync(collection, key.PartitionKey, await inner.CreateAsync(collection, key, body, cancellationToken));

    /// <inheritdoc />
    public async Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
        await AdvancedAsync(collection, key.PartitionKey, await inner.ReplaceAsync(collection, key, body, ifMatch, cancellationToken));

    /// <inheritdoc />
    public async Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken) =>
        await AdvancedAsync(collection, key.PartitionKey, await inner.DeleteAsync(collection, key, ifMatch, cancellationToken));

    /// <summary>
    /// Reads at one token that covers the caller's and the shared tokens of every partition among
    /// <paramref name="keys"/>: each partition's own lookup, merged range by range.
    /// </summary>
    public async Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken)
    {
        var scope = TokenScope(collection);
        var merged = tokens.ForCollectionRead(scope, sessionToken);
        foreach (var partitionKey in keys.Select(k => k.PartitionKey).Distinct(StringComparer.Ordinal))
        {
            merged = SessionToken.Merge(merged, await tokens.ForReadAsync(scope, partitionKey, sessionToken, cancellationToken));
        }

        return Observed(collection, await inner.ReadManyAsync(collection, keys, merged, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken) =>
        await AdvancedAsync(collection, partitionKey, await inner.ExecuteBatchAsync(collection, partitionKey, operations, cancellationToken));

    /// <inheritdoc />
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);

    private ValueTask<string?> ForPartitionAsync(CollectionDefinition collection, string? partitionKey, string? sessionToken, CancellationToken cancellationToken) =>
        partitionKey is null
            ? ValueTask.FromResult(tokens.ForCollectionRead(TokenScope(collection), sessionToken))
            : tokens.ForReadAsync(TokenScope(collection), partitionKey, sessionToken, cancellationToken);

    /// <summary>Records a read's token in this process's session, as the store's own session does.</summary>
    private T Observed<T>(CollectionDefinition collection, T result)
        where T : IStoreOutcome
    {
        tokens.Observe(TokenScope(collection), result.SessionToken);
        return result;
    }

    /// <summary>Advances the tokens with a successful write's, awaited: a token shared after the reply would race the caller's next read.</summary>
    private async Task<T> AdvancedAsync<T>(CollectionDefinition collection, string partitionKey, T result)
        where T : IStoreOutcome
    {
        if (result.Status == StoreStatus.Ok && result.SessionToken is { } token)
        {
            await tokens.AdvanceAsync(TokenScope(collection), partitionKey, token);
        }

        return result;
    }
}
