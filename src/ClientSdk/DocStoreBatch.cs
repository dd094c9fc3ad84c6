using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DocStore.V1;

namespace DocStore.Client;

/// <summary>
/// A transactional batch on one partition, built operation by operation and run with
/// <see cref="ExecuteAsync"/>: every operation applies, or none. At most 100 operations and 2 MB. Create
/// one with <see cref="DocStoreClient.Batch"/> (or, for a test double, <see cref="DocStoreModelFactory.Batch"/>). A batch
/// is never retried by the client.
/// </summary>
public sealed class DocStoreBatch
{
    private readonly Func<DocStoreBatch, DocStoreCallOptions?, CancellationToken, Task<DocStoreBatchResponse>> _execute;
    private readonly Func<object, JsonTypeInfo, BatchWrite> _toWrite;
    private readonly Func<PatchOperations, IEnumerable<V1.PatchOperation>> _toPatch;
    private readonly JsonSerializerOptions _jsonOptions;

    internal DocStoreBatch(
        string collection,
        string partitionKey,
        BodyFormat bodyFormat,
        JsonSerializerOptions jsonOptions,
        Func<object, JsonTypeInfo, BatchWrite> toWrite,
        Func<PatchOperations, IEnumerable<V1.PatchOperation>> toPatch,
        Func<DocStoreBatch, DocStoreCallOptions?, CancellationToken, Task<DocStoreBatchResponse>> execute)
    {
        Request = new ExecuteBatchRequest { Collection = collection, PartitionKey = partitionKey, BodyFormat = bodyFormat };
        _jsonOptions = jsonOptions;
        _toWrite = toWrite;
        _toPatch = toPatch;
        _execute = execute;
    }

    /// <summary>The collection the batch writes to.</summary>
    public string Collection => Request.Collection;

    /// <summary>The partition every operation's document is in.</summary>
    public string PartitionKey => Request.PartitionKey;

    /// <summary>How many operations the batch holds so far.</summary>
    public int Count => Request.Operations.Count;

    internal ExecuteBatchRequest Request { get; }

    /// <summary>Adds a create of a document that must not exist yet.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    public DocStoreBatch Create<T>(T document) => Add(new BatchOperation { Create = Write(document, Info<T>(), null) });

    /// <summary>Adds a create of a document that must not exist yet.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="typeInfo">The document type's JSON contract.</param>
    public DocStoreBatch Create<T>(T document, JsonTypeInfo<T> typeInfo) => Add(new BatchOperation { Create = Write(document, typeInfo, null) });

    /// <summary>Adds an upsert.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="ifMatch">Write only if the stored document has this etag.</param>
    public DocStoreBatch Upsert<T>(T document, string? ifMatch = null) => Add(new BatchOperation { Upsert = Write(document, Info<T>(), ifMatch) });

    /// <summary>Adds an upsert.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="typeInfo">The document type's JSON contract.</param>
    /// <param name="ifMatch">Write only if the stored document has this etag.</param>
    public DocStoreBatch Upsert<T>(T document, JsonTypeInfo<T> typeInfo, string? ifMatch = null) => Add(new BatchOperation { Upsert = Write(document, typeInfo, ifMatch) });

    /// <summary>Adds a replace of a document that must exist.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="ifMatch">Replace only if the stored document has this etag.</param>
    public DocStoreBatch Replace<T>(T document, string? ifMatch = null) => Add(new BatchOperation { Replace = Write(document, Info<T>(), ifMatch) });

    /// <summary>Adds a replace of a document that must exist.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="typeInfo">The document type's JSON contract.</param>
    /// <param name="ifMatch">Replace only if the stored document has this etag.</param>
    public DocStoreBatch Replace<T>(T document, JsonTypeInfo<T> typeInfo, string? ifMatch = null) => Add(new BatchOperation { Replace = Write(document, typeInfo, ifMatch) });

    /// <summary>Adds a patch of an existing document.</summary>
    /// <param name="id">The document's id.</param>
    /// <param name="patch">1 to 10 operations, built with <see cref="Client.Patch"/>.</param>
    /// <param name="ifMatch">Apply only if the stored document has this etag.</param>
    /// <param name="condition">
    /// Apply only if the document, as the batch's earlier operations left it, matches this filter; otherwise the
    /// batch fails with a <see cref="DocStoreBatchException"/> whose <see cref="DocStoreBatchException.OperationError"/> is a
    /// <see cref="DocStoreConditionNotMetException"/>.
    /// </param>
    public DocStoreBatch Patch(string id, PatchOperations patch, string? ifMatch = null, DocumentFilter? condition = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(patch);
        var operation = new BatchPatch { Id = id, IfMatch = ifMatch ?? string.Empty, Condition = condition?.ToProto(_jsonOptions) };
        operation.Operations.AddRange(_toPatch(patch));
        return Add(new BatchOperation { Patch = operation });
    }

    /// <summary>Adds a delete of an existing document.</summary>
    /// <param name="id">The document's id.</param>
    /// <param name="ifMatch">Delete only if the stored document has this etag.</param>
    public DocStoreBatch Delete(string id, string? ifMatch = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Add(new BatchOperation { Delete = new BatchKey { Id = id, IfMatch = ifMatch ?? string.Empty } });
    }

    /// <summary>Adds a read; it sees the batch's earlier writes.</summary>
    /// <param name="id">The document's id.</param>
    public DocStoreBatch Read(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Add(new BatchOperation { Read = new BatchKey { Id = id } });
    }

    /// <summary>Runs the batch.</summary>
    /// <param name="options">Per-call settings (a deadline); null for the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreBatchException">An operation failed, so none applied; it names the operation and holds its own error.</exception>
    public Task<DocStoreBatchResponse> ExecuteAsync(DocStoreCallOptions? options = null, CancellationToken cancellationToken = default) => _execute(this, options, cancellationToken);

    private JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)_jsonOptions.GetTypeInfo(typeof(T));

    private BatchWrite Write<T>(T document, JsonTypeInfo<T> typeInfo, string? ifMatch)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var write = _toWrite(document, typeInfo);
        write.IfMatch = ifMatch ?? string.Empty;
        return write;
    }

    private DocStoreBatch Add(BatchOperation operation)
    {
        Request.Operations.Add(operation);
        return this;
    }
}

/// <summary>What a batch returned: one result per operation, in order, and the batch's session token and charge.</summary>
public sealed class DocStoreBatchResponse
{
    private readonly IReadOnlyList<Func<Func<JsonTypeInfo>, object?>> _documents;
    private readonly JsonSerializerOptions _jsonOptions;

    internal DocStoreBatchResponse(IReadOnlyList<Func<Func<JsonTypeInfo>, object?>> documents, IReadOnlyList<string?> etags, string sessionToken, double requestCharge, JsonSerializerOptions jsonOptions)
    {
        _documents = documents;
        _jsonOptions = jsonOptions;
        ETags = etags;
        SessionToken = sessionToken;
        RequestCharge = requestCharge;
    }

    /// <summary>How many operations ran.</summary>
    public int Count => _documents.Count;

    /// <summary>Each operation's resulting etag, in order; null for a delete.</summary>
    public IReadOnlyList<string?> ETags { get; }

    /// <summary>The session token naming the state after the batch.</summary>
    public string SessionToken { get; }

    /// <summary>Request units the batch cost.</summary>
    public double RequestCharge { get; }

    /// <summary>The document operation <paramref name="index"/> left (a read: the one it read), as <typeparamref name="T"/>; default for a delete.</summary>
    /// <typeparam name="T">The type to deserialize to.</typeparam>
    /// <param name="index">The operation's 0-based index.</param>
    public T? GetDocument<T>(int index) => (T?)_documents[index](() => _jsonOptions.GetTypeInfo(typeof(T)));

    /// <summary>The document operation <paramref name="index"/> left (a read: the one it read), as <typeparamref name="T"/>; default for a delete.</summary>
    /// <typeparam name="T">The type to deserialize to.</typeparam>
    /// <param name="index">The operation's 0-based index.</param>
    /// <param name="typeInfo">The document type's JSON contract.</param>
    public T? GetDocument<T>(int index, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return (T?)_documents[index](() => typeInfo);
    }
}

/// <summary>What a read of many documents returned.</summary>
/// <typeparam name="T">The documents' type.</typeparam>
/// <param name="Documents">The documents that exist, in the order of the keys asked for.</param>
/// <param name="Missing">The keys that name no document, as (id, partition key).</param>
/// <param name="SessionToken">The session token naming the state read.</param>
/// <param name="RequestCharge">Request units the read cost.</param>
public sealed record ReadManyResponse<T>(
    IReadOnlyList<DocumentResponse<T>> Documents,
    IReadOnlyList<(string Id, string PartitionKey)> Missing,
    string SessionToken,
    double RequestCharge);

/// <summary>What a delete returned.</summary>
/// <param name="SessionToken">The session token naming the state after the delete.</param>
/// <param name="RequestCharge">Request units the delete cost.</param>
public sealed record DeleteResult(string SessionToken, double RequestCharge);
