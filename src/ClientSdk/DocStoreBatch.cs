using DocStore.V1;

namespace DocStore.Client;

/// <summary>
/// A transactional batch on one partition, built operation by operation and run with
/// <see cref="ExecuteAsync"/>: every operation applies, or none. At most 100 operations and 2 MB. Create
/// one with <see cref="DocStoreClient.Batch"/>. A batch is never retried by the client.
/// </summary>
public sealed class DocStoreBatch
{
    private readonly Func<DocStoreBatch, CancellationToken, Task<DocStoreBatchResponse>> _execute;
    private readonly Func<object, Type, BatchWrite> _toWrite;
    private readonly Func<PatchOperations, IEnumerable<V1.PatchOperation>> _toPatch;
    private readonly Func<Filter, V1.Filter> _toFilter;

    internal DocStoreBatch(
        string collection,
        string partitionKey,
        BodyFormat bodyFormat,
        Func<object, Type, BatchWrite> toWrite,
        Func<PatchOperations, IEnumerable<V1.PatchOperation>> toPatch,
        Func<Filter, V1.Filter> toFilter,
        Func<DocStoreBatch, CancellationToken, Task<DocStoreBatchResponse>> execute)
    {
        Request = new ExecuteBatchRequest { Collection = collection, PartitionKey = partitionKey, BodyFormat = bodyFormat };
        _toWrite = toWrite;
        _toPatch = toPatch;
        _toFilter = toFilter;
        _execute = execute;
    }

    internal ExecuteBatchRequest Request { get; }

    /// <summary>Adds a create of a document that must not exist yet.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    public DocStoreBatch Create<T>(T document) => Add(new BatchOperation { Create = Write(document, null) });

    /// <summary>Adds an upsert.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="ifMatch">Write only if the stored document has this etag.</param>
    public DocStoreBatch Upsert<T>(T document, string? ifMatch = null) => Add(new BatchOperation { Upsert = Write(document, ifMatch) });

    /// <summary>Adds a replace of a document that must exist.</summary>
    /// <typeparam name="T">The document's type.</typeparam>
    /// <param name="document">The document, in the batch's partition.</param>
    /// <param name="ifMatch">Replace only if the stored document has this etag.</param>
    public DocStoreBatch Replace<T>(T document, string? ifMatch = null) => Add(new BatchOperation { Replace = Write(document, ifMatch) });

    /// <summary>Adds a patch of an existing document.</summary>
    /// <param name="id">The document's id.</param>
    /// <param name="patch">1 to 10 operations, built with <see cref="Client.Patch"/>.</param>
    /// <param name="ifMatch">Apply only if the stored document has this etag.</param>
    /// <param name="condition">
    /// Apply only if the document, as the batch's earlier operations left it, matches this filter; otherwise the
    /// batch fails with a <see cref="DocStoreBatchException"/> whose <see cref="DocStoreBatchException.OperationError"/> is a
    /// <see cref="DocStoreConditionNotMetException"/>.
    /// </param>
    public DocStoreBatch Patch(string id, PatchOperations patch, string? ifMatch = null, Filter? condition = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(patch);
        var operation = new BatchPatch { Id = id, IfMatch = ifMatch ?? string.Empty, Condition = condition is null ? null : _toFilter(condition) };
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
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DocStoreBatchException">An operation failed, so none applied; it names the operation and holds its own error.</exception>
    public Task<DocStoreBatchResponse> ExecuteAsync(CancellationToken cancellationToken = default) => _execute(this, cancellationToken);

    private BatchWrite Write<T>(T document, string? ifMatch)
    {
        ArgumentNullException.ThrowIfNull(document);
        var write = _toWrite(document, typeof(T));
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
    private readonly IReadOnlyList<Func<Type, object?>> _documents;

    internal DocStoreBatchResponse(IReadOnlyList<Func<Type, object?>> documents, IReadOnlyList<string?> etags, string sessionToken, double requestCharge)
    {
        _documents = documents;
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
    public T? GetDocument<T>(int index) => (T?)_documents[index](typeof(T));
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
