namespace DocStore.Server.Storage;

/// <summary>What one operation of a transactional batch does.</summary>
internal enum BatchStepKind
{
    Create,
    Upsert,
    Replace,
    Patch,
    Delete,
    Read,
}

/// <summary>One validated operation of a transactional batch; every key is in the batch's partition.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Key">The document it touches.</param>
/// <param name="Body">The whole document as UTF-8 JSON (create, upsert, replace), else empty.</param>
/// <param name="Patch">The patch operations (patch), else <see langword="null"/>.</param>
/// <param name="IfMatch">The etag precondition, when one was given (never on create or read).</param>
/// <param name="Condition">A patch's filter the document must match, when one was given (patch only).</param>
internal sealed record BatchStep(
    BatchStepKind Kind,
    DocumentKey Key,
    ReadOnlyMemory<byte> Body = default,
    IReadOnlyList<DocumentPatchOperation>? Patch = null,
    string? IfMatch = null,
    Query.DocumentFilter? Condition = null);

/// <summary>
/// How a transactional batch ended: every operation's result in order, or the one failure that
/// stopped it (and with it every operation).
/// </summary>
internal sealed class BatchStoreResult : IStoreOutcome
{
    private BatchStoreResult(IReadOnlyList<StoreResult> results, string? sessionToken, double requestCharge, StoreResult? failure, int? failedIndex)
    {
        Results = results;
        SessionToken = sessionToken;
        RequestCharge = requestCharge;
        Failure = failure;
        FailedIndex = failedIndex;
    }

    /// <inheritdoc />
    public StoreStatus Status => Failure?.Status ?? StoreStatus.Ok;

    /// <summary>On success, one result per operation, in order: a document, or none for a delete.</summary>
    public IReadOnlyList<StoreResult> Results { get; }

    /// <inheritdoc />
    public string? SessionToken { get; }

    /// <summary>Request units the batch cost.</summary>
    public double RequestCharge { get; }

    /// <summary>Why the batch applied nothing, or <see langword="null"/> when it succeeded.</summary>
    public StoreResult? Failure { get; }

    /// <summary>The 0-based index of the operation that failed, or <see langword="null"/> when the batch as a whole failed (throttled, unavailable) or succeeded.</summary>
    public int? FailedIndex { get; }

    public static BatchStoreResult Success(IReadOnlyList<StoreResult> results, string sessionToken, double requestCharge) =>
        new(results, sessionToken, requestCharge, null, null);

    /// <summary>The batch applied nothing because operation <paramref name="index"/> ended with <paramref name="failure"/>.</summary>
    public static BatchStoreResult OperationFailed(int index, StoreResult failure) =>
        new([], null, 0, failure, index);

    /// <summary>The batch applied nothing for a reason of the store's (throttled, unavailable).</summary>
    public static BatchStoreResult Failed(StoreResult failure) =>
        new([], null, 0, failure, null);
}

/// <summary>How a read of many documents ended: one entry per requested key, in order (null when absent), or a failure.</summary>
internal sealed class ReadManyStoreResult : IStoreOutcome
{
    private ReadManyStoreResult(IReadOnlyList<StoredDocument?> documents, string? sessionToken, double requestCharge, StoreResult? failure)
    {
        Documents = documents;
        SessionToken = sessionToken;
        RequestCharge = requestCharge;
        Failure = failure;
    }

    /// <inheritdoc />
    public StoreStatus Status => Failure?.Status ?? StoreStatus.Ok;

    /// <summary>One entry per requested key, in the request's order: the document, or <see langword="null"/> when it does not exist.</summary>
    public IReadOnlyList<StoredDocument?> Documents { get; }

    /// <inheritdoc />
    public string? SessionToken { get; }

    /// <summary>Request units the read cost.</summary>
    public double RequestCharge { get; }

    /// <summary>Why nothing was read, or <see langword="null"/>.</summary>
    public StoreResult? Failure { get; }

    public static ReadManyStoreResult Success(IReadOnlyList<StoredDocument?> documents, string? sessionToken, double requestCharge) =>
        new(documents, sessionToken, requestCharge, null);

    public static ReadManyStoreResult Failed(StoreResult failure) => new([], null, 0, failure);
}
