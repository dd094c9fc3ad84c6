namespace DocStore.Server.Storage;

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
