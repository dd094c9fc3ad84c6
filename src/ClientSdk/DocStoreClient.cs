using DocStore.Client.Internal;
using DocStore.V1;
using System.Text.Json.Serialization.Metadata;
using Grpc.Core;

namespace DocStore.Client;

/// <summary>
/// The typed DocStore client: Get, Upsert and Patch of JSON documents as .NET types, with read-your-own-writes
/// through any server instance. Thread-safe; use one per application (<c>AddDocStoreClient</c> registers a
/// singleton). Failures throw <see cref="DocStoreException"/> and its derived types.
/// </summary>
/// <remarks>
/// Each method has two forms: a generic one that converts documents with
/// <see cref="DocStoreClientOptions.JsonSerializerOptions"/> (its <c>TypeInfoResolver</c>, such as a source-generated
/// <c>JsonSerializerContext</c>, answers for the document type under native AOT), and one that takes a
/// <see cref="JsonTypeInfo{T}"/>. A test double implements the abstract generic methods; the <see cref="JsonTypeInfo{T}"/>
/// forms call them unless overridden. <see cref="DocStoreModelFactory"/> builds the responses and exceptions a double returns.
/// </remarks>
/// <remarks>
/// Every response carries a session token. The client remembers the newest one per (collection, partition key)
/// and sends it on the next Get of that partition, so a read sees this client's earlier writes even when it is
/// served by another instance. To carry a session across processes (in a cookie, say), read it with
/// <see cref="GetSessionToken"/> and hand it to the other process's client with <see cref="SetSessionToken"/>.
/// </remarks>
public abstract class DocStoreClient
{
    /// <summary>For derived clients, such as test doubles.</summary>
    protected DocStoreClient()
    {
    }

    /// <summary>A client over <paramref name="channel"/>, such as a <c>GrpcChannel</c>.</summary>
    /// <param name="channel">The channel to the server; the caller owns and disposes it.</param>
    /// <param name="options">
    /// The client's settings. The channel is the caller's, so the settings that shape a channel are refused with
    /// <see cref="ArgumentException"/> rather than ignored: <see cref="DocStoreClientOptions.Address"/>,
    /// <see cref="DocStoreClientOptions.Credential"/>, <see cref="DocStoreClientOptions.ClientCertificate"/> and keep-alive
    /// settings other than their defaults belong on the channel (<c>GrpcChannelOptions</c>). <see cref="DocStoreClientOptions.MaxAttempts"/>
    /// is honoured by the client itself, which retries what <c>AddDocStoreClient</c>'s channel would.
    /// </param>
    /// <exception cref="ArgumentException">An option that only a registered channel can honour is set, or an option is out of range.</exception>
    public static DocStoreClient Create(ChannelBase channel, DocStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        options ??= new DocStoreClientOptions();
        DocStoreClientOptionsValidator.ThrowIfChannelOptions(options);
        return new GrpcDocStoreClient(new DocStoreService.DocStoreServiceClient(channel), options, retryInClient: true);
    }

    /// <summary>Reads a document.</summary>
    /// <typeparam name="T">The type to deserialize the document to.</typeparam>
    /// <param name="collection">The collection, as configured on the server (for example <c>items</c>).</param>
    /// <param name="id">The document's id.</param>
    /// <param name="partitionKey">The document's partition key value.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document or the collection does not exist.</exception>
    /// <exception cref="DocStoreSessionNotAvailableException">The session token names a write the store has not seen.</exception>
    /// <exception cref="DocStoreInvalidArgumentException">The id or partition key breaks DocStore's rules.</exception>
    public abstract Task<DocumentResponse<T>> GetAsync<T>(string collection, string id, string partitionKey, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a document.</summary>
    /// <typeparam name="T">The type to deserialize the document to.</typeparam>
    /// <param name="collection">The collection, as configured on the server (for example <c>items</c>).</param>
    /// <param name="id">The document's id.</param>
    /// <param name="partitionKey">The document's partition key value.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document or the collection does not exist.</exception>
    /// <exception cref="DocStoreSessionNotAvailableException">The session token names a write the store has not seen.</exception>
    /// <exception cref="DocStoreInvalidArgumentException">The id or partition key breaks DocStore's rules.</exception>
    public virtual Task<DocumentResponse<T>> GetAsync<T>(string collection, string id, string partitionKey, JsonTypeInfo<T> typeInfo, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        GetAsync<T>(collection, id, partitionKey, options, cancellationToken);

    /// <summary>Creates or replaces a whole document. Retried on UNAVAILABLE.</summary>
    /// <typeparam name="T">The document's type; it must serialize to a JSON object with <c>id</c> and the collection's partition key property.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="document">The document.</param>
    /// <param name="ifMatch">Write only if the stored document has this etag; null to write unconditionally.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag (or the document is absent).</exception>
    /// <exception cref="DocStoreInvalidArgumentException">The document breaks DocStore's rules.</exception>
    public abstract Task<DocumentResponse<T>> UpsertAsync<T>(string collection, T document, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a whole document. Retried on UNAVAILABLE.</summary>
    /// <typeparam name="T">The document's type; it must serialize to a JSON object with <c>id</c> and the collection's partition key property.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="document">The document.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="ifMatch">Write only if the stored document has this etag; null to write unconditionally.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag (or the document is absent).</exception>
    /// <exception cref="DocStoreInvalidArgumentException">The document breaks DocStore's rules.</exception>
    public virtual Task<DocumentResponse<T>> UpsertAsync<T>(string collection, T document, JsonTypeInfo<T> typeInfo, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        UpsertAsync(collection, document, ifMatch, options, cancellationToken);

    /// <summary>Applies a patch to an existing document, atomically. Never retried: an increment or an append applied twice would be wrong.</summary>
    /// <typeparam name="T">The type to deserialize the patched document to.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The document's id.</param>
    /// <param name="partitionKey">The document's partition key value.</param>
    /// <param name="patch">1 to 10 operations, built with <see cref="Patch"/>.</param>
    /// <param name="ifMatch">Apply only if the stored document has this etag; null to apply unconditionally.</param>
    /// <param name="condition">Apply only if the stored document matches this filter; null to apply unconditionally.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document does not exist.</exception>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag.</exception>
    /// <exception cref="DocStoreConditionNotMetException">The document does not match <paramref name="condition"/>; nothing changed.</exception>
    /// <exception cref="DocStoreInvalidArgumentException">The patch breaks DocStore's rules, or cannot apply to the document (<c>PATCH_NOT_APPLICABLE</c>).</exception>
    public abstract Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, string? ifMatch = null, DocumentFilter? condition = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Applies a patch to an existing document, atomically. Never retried: an increment or an append applied twice would be wrong.</summary>
    /// <typeparam name="T">The type to deserialize the patched document to.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The document's id.</param>
    /// <param name="partitionKey">The document's partition key value.</param>
    /// <param name="patch">1 to 10 operations, built with <see cref="Patch"/>.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="ifMatch">Apply only if the stored document has this etag; null to apply unconditionally.</param>
    /// <param name="condition">Apply only if the stored document matches this filter; null to apply unconditionally.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document does not exist.</exception>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag.</exception>
    /// <exception cref="DocStoreConditionNotMetException">The document does not match <paramref name="condition"/>; nothing changed.</exception>
    /// <exception cref="DocStoreInvalidArgumentException">The patch breaks DocStore's rules, or cannot apply to the document (<c>PATCH_NOT_APPLICABLE</c>).</exception>
    public virtual Task<DocumentResponse<T>> PatchAsync<T>(string collection, string id, string partitionKey, PatchOperations patch, JsonTypeInfo<T> typeInfo, string? ifMatch = null, DocumentFilter? condition = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        PatchAsync<T>(collection, id, partitionKey, patch, ifMatch, condition, options, cancellationToken);

    /// <summary>
    /// Finds the documents of a partition (or, with a null <paramref name="partitionKey"/>, of every partition,
    /// where the collection allows it) that match <paramref name="filter"/>, following pages as they are read.
    /// </summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition, or null across partitions.</param>
    /// <param name="filter">The condition; null for every document.</param>
    /// <param name="orderBy">Zero to two sort paths.</param>
    /// <param name="pageSize">Documents per page, 1 to 1000; 0 for the server's 100.</param>
    /// <param name="options">Per-call settings, applied to each page's call; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public abstract IAsyncEnumerable<DocumentResponse<T>> QueryAsync<T>(string collection, string? partitionKey, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the documents of a partition (or, with a null <paramref name="partitionKey"/>, of every partition,
    /// where the collection allows it) that match <paramref name="filter"/>, following pages as they are read.
    /// </summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition, or null across partitions.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="filter">The condition; null for every document.</param>
    /// <param name="orderBy">Zero to two sort paths.</param>
    /// <param name="pageSize">Documents per page, 1 to 1000; 0 for the server's 100.</param>
    /// <param name="options">Per-call settings, applied to each page's call; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public virtual IAsyncEnumerable<DocumentResponse<T>> QueryAsync<T>(string collection, string? partitionKey, JsonTypeInfo<T> typeInfo, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        QueryAsync<T>(collection, partitionKey, filter, orderBy, pageSize, options, cancellationToken);

    /// <summary>Reads one page of a query: for callers who keep the page token (between HTTP requests, say).</summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition, or null across partitions.</param>
    /// <param name="filter">The condition; null for every document.</param>
    /// <param name="orderBy">Zero to two sort paths.</param>
    /// <param name="pageSize">Documents per page, 1 to 1000; 0 for the server's 100.</param>
    /// <param name="pageToken">The previous page's <see cref="QueryPage{T}.NextPageToken"/>; the other arguments must be the same. Null for the first page.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public abstract Task<QueryPage<T>> QueryPageAsync<T>(string collection, string? partitionKey, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, string? pageToken = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads one page of a query: for callers who keep the page token (between HTTP requests, say).</summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition, or null across partitions.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="filter">The condition; null for every document.</param>
    /// <param name="orderBy">Zero to two sort paths.</param>
    /// <param name="pageSize">Documents per page, 1 to 1000; 0 for the server's 100.</param>
    /// <param name="pageToken">The previous page's <see cref="QueryPage{T}.NextPageToken"/>; the other arguments must be the same. Null for the first page.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<QueryPage<T>> QueryPageAsync<T>(string collection, string? partitionKey, JsonTypeInfo<T> typeInfo, DocumentFilter? filter = null, IReadOnlyList<SortBy>? orderBy = null, int pageSize = 0, string? pageToken = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        QueryPageAsync<T>(collection, partitionKey, filter, orderBy, pageSize, pageToken, options, cancellationToken);

    /// <summary>Reads the documents changed since <paramref name="start"/>: the latest version of each, oldest change first. Deletes are not carried.</summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">One partition's changes, or null for the whole collection.</param>
    /// <param name="start">Where to begin.</param>
    /// <param name="maxItems">The most documents, 1 to 1000; 0 for the server's 100.</param>
    /// <param name="options">Per-call settings (a deadline; a session token is refused); null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public abstract Task<ChangesPage<T>> ReadChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, int maxItems = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the documents changed since <paramref name="start"/>: the latest version of each, oldest change first. Deletes are not carried.</summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">One partition's changes, or null for the whole collection.</param>
    /// <param name="start">Where to begin.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="maxItems">The most documents, 1 to 1000; 0 for the server's 100.</param>
    /// <param name="options">Per-call settings (a deadline; a session token is refused); null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<ChangesPage<T>> ReadChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, JsonTypeInfo<T> typeInfo, int maxItems = 0, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        ReadChangesAsync<T>(collection, partitionKey, start, maxItems, options, cancellationToken);

    /// <summary>
    /// Follows the change feed as changes are committed, until cancelled. Each page carries the
    /// continuation to save; heartbeats are empty pages. After a transport failure the stream resumes from
    /// the last continuation received, so no change is lost or repeated across the reconnection. A stream has no deadline.
    /// </summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">One partition's changes, or null for the whole collection.</param>
    /// <param name="start">Where to begin.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <exception cref="DocStoreTooManyStreamsException">The server has as many streams open as it allows; wait its <see cref="DocStoreTooManyStreamsException.RetryAfter"/>.</exception>
    public abstract IAsyncEnumerable<ChangesPage<T>> WatchChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, CancellationToken cancellationToken = default);

    /// <summary>
    /// Follows the change feed as changes are committed, until cancelled. Each page carries the
    /// continuation to save; heartbeats are empty pages. After a transport failure the stream resumes from
    /// the last continuation received, so no change is lost or repeated across the reconnection. A stream has no deadline.
    /// </summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">One partition's changes, or null for the whole collection.</param>
    /// <param name="start">Where to begin.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <exception cref="DocStoreTooManyStreamsException">The server has as many streams open as it allows; wait its <see cref="DocStoreTooManyStreamsException.RetryAfter"/>.</exception>
    public virtual IAsyncEnumerable<ChangesPage<T>> WatchChangesAsync<T>(string collection, string? partitionKey, ChangeFeedPosition start, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        WatchChangesAsync<T>(collection, partitionKey, start, cancellationToken);

    /// <summary>Creates a document that must not exist yet. Never retried: a retry of a create that was applied would fail as ALREADY_EXISTS.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="document">The document.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreAlreadyExistsException">A document with its id exists in its partition.</exception>
    public abstract Task<DocumentResponse<T>> CreateAsync<T>(string collection, T document, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Creates a document that must not exist yet. Never retried: a retry of a create that was applied would fail as ALREADY_EXISTS.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="document">The document.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreAlreadyExistsException">A document with its id exists in its partition.</exception>
    public virtual Task<DocumentResponse<T>> CreateAsync<T>(string collection, T document, JsonTypeInfo<T> typeInfo, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(collection, document, options, cancellationToken);

    /// <summary>Replaces a whole document that must exist. Retried on UNAVAILABLE.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="document">The document.</param>
    /// <param name="ifMatch">Replace only if the stored document has this etag.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document does not exist.</exception>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag.</exception>
    public abstract Task<DocumentResponse<T>> ReplaceAsync<T>(string collection, T document, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces a whole document that must exist. Retried on UNAVAILABLE.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="document">The document.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="ifMatch">Replace only if the stored document has this etag.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document does not exist.</exception>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag.</exception>
    public virtual Task<DocumentResponse<T>> ReplaceAsync<T>(string collection, T document, JsonTypeInfo<T> typeInfo, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        ReplaceAsync(collection, document, ifMatch, options, cancellationToken);

    /// <summary>Deletes a document. Never retried: a retry of a delete that was applied would fail as NOT_FOUND.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="id">The document's id.</param>
    /// <param name="partitionKey">The document's partition key value.</param>
    /// <param name="ifMatch">Delete only if the stored document has this etag.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreNotFoundException">The document does not exist.</exception>
    /// <exception cref="DocStoreETagMismatchException"><paramref name="ifMatch"/> is not the stored etag.</exception>
    public abstract Task<DeleteResult> DeleteAsync(string collection, string id, string partitionKey, string? ifMatch = null, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads up to 100 documents by key; absent ones are listed, not thrown. Retried on UNAVAILABLE.</summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="keys">1 to 100 distinct (id, partition key) pairs.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public abstract Task<ReadManyResponse<T>> ReadManyAsync<T>(string collection, IEnumerable<(string Id, string PartitionKey)> keys, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads up to 100 documents by key; absent ones are listed, not thrown. Retried on UNAVAILABLE.</summary>
    /// <typeparam name="T">The documents' type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="keys">1 to 100 distinct (id, partition key) pairs.</param>
    /// <param name="typeInfo">The document type's JSON contract, such as a source-generated <c>JsonSerializerContext</c>'s property.</param>
    /// <param name="options">Per-call settings: deadline, session token; null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<ReadManyResponse<T>> ReadManyAsync<T>(string collection, IEnumerable<(string Id, string PartitionKey)> keys, JsonTypeInfo<T> typeInfo, DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) =>
        ReadManyAsync<T>(collection, keys, options, cancellationToken);

    /// <summary>Starts a transactional batch on one partition; add operations and call <see cref="DocStoreBatch.ExecuteAsync"/>.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition every operation's document is in.</param>
    public abstract DocStoreBatch Batch(string collection, string partitionKey);

    /// <summary>The newest session token this client knows for a partition, or null when it knows none.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition key value.</param>
    public abstract string? GetSessionToken(string collection, string partitionKey);

    /// <summary>
    /// Sets the session token this client sends on Gets of a partition, replacing the one it knows: for a
    /// session carried from another process. Null forgets the partition's token.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="partitionKey">The partition key value.</param>
    /// <param name="sessionToken">A session token from a response, or null.</param>
    public abstract void SetSessionToken(string collection, string partitionKey, string? sessionToken);
}
