namespace DocStore.Server.Storage;

/// <summary>
/// One page of a query or of the change feed: documents and the store's continuation, or a status
/// that says why there is none.
/// </summary>
internal sealed class StorePage : IStoreOutcome
{
    private StorePage(StoreStatus status, IReadOnlyList<StoredItem> items, string? continuation, string? sessionToken, double requestCharge, string? message, TimeSpan? retryAfter, string? activityId = null)
    {
        ActivityId = activityId;
        Status = status;
        Items = items;
        Continuation = continuation;
        SessionToken = sessionToken;
        RequestCharge = requestCharge;
        Message = message;
        RetryAfter = retryAfter;
    }

    public StoreStatus Status { get; }

    /// <summary>The documents, in the page's order; empty on failure.</summary>
    public IReadOnlyList<StoredItem> Items { get; }

    /// <summary>
    /// The store's own continuation: for a query, <see langword="null"/> on the last page; for the change
    /// feed, always set.
    /// </summary>
    public string? Continuation { get; }

    /// <summary>The session token that names the state the page reflects, when the store returned one.</summary>
    public string? SessionToken { get; }

    /// <summary>Request units the page cost.</summary>
    public double RequestCharge { get; }

    /// <summary>A message for the caller, free of secrets, when the store has one.</summary>
    public string? Message { get; }

    /// <summary>When the store asked to be retried later (throttling).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The store's id of the failed request (Cosmos DB's activity id), when it gave one.</summary>
    public string? ActivityId { get; }

    public static StorePage Success(IReadOnlyList<StoredItem> items, string? continuation, string? sessionToken, double requestCharge) =>
        new(StoreStatus.Ok, items, continuation, sessionToken, requestCharge, null, null);

    public static StorePage Failure(StoreStatus status, string? message = null, TimeSpan? retryAfter = null, string? activityId = null) =>
        status == StoreStatus.Ok
            ? throw new ArgumentOutOfRangeException(nameof(status), "A failure needs a failing status.")
            : new(status, [], null, null, 0, message, retryAfter, activityId);

    /// <summary>A store result's failure as a page's.</summary>
    public static StorePage Failure(StoreResult failure) => Failure(failure.Status, failure.Message, failure.RetryAfter, failure.ActivityId);

    /// <summary>The failure as a <see cref="StoreResult"/>, for the shared error mapping.</summary>
    public StoreResult AsResult() => StoreResult.Failure(Status, Message, RetryAfter).WithActivityId(ActivityId);
}
