namespace DocStore.Server.Storage;

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
