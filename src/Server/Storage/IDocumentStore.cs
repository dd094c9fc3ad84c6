namespace DocStore.Server.Storage;

/// <summary>
/// The port every store implements. Requests arrive validated against Cosmos DB's rules; a store
/// reports expected outcomes through <see cref="StoreResult.Status"/> and throws only for faults.
/// </summary>
/// <remarks>
/// Callers receive this port wrapped in <see cref="Consistency.SessionConsistentStore"/>, which applies
/// the shared session tokens. Each member is classified with <see cref="StoreOperationAttribute"/>:
/// a read takes the caller's session token as <c>sessionToken</c>, and the partition it reads as a
/// <see cref="DocumentKey"/> or as <c>partitionKey</c> (null: every partition, read at the caller's
/// token only); a write returns, on success, a
/// document whose <see cref="StoredDocument.SessionToken"/> the decorator advances.
/// </remarks>
internal interface IDocumentStore
{
    /// <summary>
    /// A stable identity for the storage behind <paramref name="collection"/>, used to key shared
    /// session tokens. It must change when that storage is recreated (Cosmos: the container's
    /// resource id), so that tokens issued by the old one are never applied to the new one.
    /// </summary>
    [StoreOperation(StoreOperationKind.None)]
    string TokenScope(CollectionDefinition collection);

    /// <summary>Reads one document.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="key">The document's id and partition key.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    /// <param name="sessionToken">When set, the read reflects at least the state this token names.</param>
    [StoreOperation(StoreOperationKind.Read)]
    Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a document.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="key">The document's id and partition key, as found in <paramref name="body"/>.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    /// <param name="body">The whole document as UTF-8 JSON, system properties removed.</param>
    /// <param name="ifMatch">When set, the write happens only if the stored etag equals it.</param>
    [StoreOperation(StoreOperationKind.Write)]
    Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Applies the operations in order, all or none.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="key">The document's id and partition key.</param>
    /// <param name="operations">The validated operations.</param>
    /// <param name="ifMatch">When set, the patch happens only if the stored etag equals it.</param>
    /// <param name="condition">When set, the patch happens only if the stored document matches it (<see cref="StoreStatus.ConditionNotMet"/> otherwise).</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    [StoreOperation(StoreOperationKind.Write)]
    Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, Query.DocumentFilter? condition, CancellationToken cancellationToken);

    /// <summary>Reads one page of a query.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition, or <see langword="null"/> across partitions.</param>
    /// <param name="query">The filter and order.</param>
    /// <param name="pageSize">The most documents the page holds.</param>
    /// <param name="continuation">The store's continuation from the previous page, or <see langword="null"/> for the first.</param>
    /// <param name="sessionToken">When set, the page reflects at least the state this token names.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    [StoreOperation(StoreOperationKind.Read)]
    Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken);

    /// <summary>Reads the next changes: the latest version of each changed document, oldest change first; deletes are not carried.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">One partition's changes, or <see langword="null"/> for the whole collection.</param>
    /// <param name="start">Where to begin; <see cref="ChangeFeedStart.After"/> holds the store's continuation.</param>
    /// <param name="maxItems">The most documents the page holds.</param>
    /// <param name="sessionToken">When set, the page reflects at least the state this token names.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    [StoreOperation(StoreOperationKind.Read)]
    Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when a write to <paramref name="collection"/> may have committed: at once when this
    /// process wrote, or after <paramref name="timeout"/> (writes this process cannot see happening).
    /// </summary>
    [StoreOperation(StoreOperationKind.None)]
    Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Creates a document that must not exist yet: <see cref="StoreStatus.AlreadyExists"/> when it does.</summary>
    [StoreOperation(StoreOperationKind.Write)]
    Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>Replaces a whole document that must exist: <see cref="StoreStatus.NotFound"/> when it does not.</summary>
    [StoreOperation(StoreOperationKind.Write)]
    Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes a document: on success, a result without a document whose session token names the state after the delete.</summary>
    [StoreOperation(StoreOperationKind.Write)]
    Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Reads several documents, possibly of several partitions, at one session token.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="keys">1 to 100 distinct keys.</param>
    /// <param name="sessionToken">When set, the read reflects at least the state this token names, in every partition it touches.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    [StoreOperation(StoreOperationKind.Read)]
    Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken);

    /// <summary>Runs the operations in order as one transaction in one partition: all apply, or none.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition every operation's document is in.</param>
    /// <param name="operations">1 to 100 operations.</param>
    /// <param name="cancellationToken">Ends the call early.</param>
    [StoreOperation(StoreOperationKind.Write)]
    Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken);

    /// <summary>Checks that the store can be reached (for readiness).</summary>
    [StoreOperation(StoreOperationKind.None)]
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
