namespace DocStore.Server.Storage;

/// <summary>
/// What a store returns: a document and its metadata, or a status that says why there is none.
/// Stores return expected outcomes (absent, precondition failed, ...) instead of throwing, so the
/// hot path never pays for exceptions.
/// </summary>
internal sealed class StoreResult : IStoreOutcome
{
    private readonly string? _failureSessionToken;
    private readonly double _deleteCharge;

    private StoreResult(StoreStatus status, string? message, TimeSpan? retryAfter, string? sessionToken = null, double deleteCharge = 0, string? activityId = null)
    {
        ActivityId = activityId;
        _deleteCharge = deleteCharge;
        Status = status;
        Message = message;
        RetryAfter = retryAfter;
        _failureSessionToken = sessionToken;
    }

    private StoreResult(StoredDocument document)
    {
        Status = StoreStatus.Ok;
        Document = document;
    }

    public StoreStatus Status { get; }

    /// <summary>The document, when <see cref="Status"/> is <see cref="StoreStatus.Ok"/>.</summary>
    public StoredDocument? Document { get; }

    /// <summary>A message for the caller, free of secrets, when the store has one.</summary>
    public string? Message { get; }

    /// <summary>When the store asked to be retried later (throttling).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The store's id of the failed request (Cosmos DB's activity id), for a support case; null when it gave none.</summary>
    public string? ActivityId { get; }

    /// <summary>
    /// The session token the store returned, when it returned one: a document's, or a failed read's
    /// (a NOT_FOUND still tells which state the replica had reached).
    /// </summary>
    public string? SessionToken => Document?.SessionToken ?? _failureSessionToken;

    /// <summary>Request units the call cost, when it succeeded.</summary>
    public double RequestCharge => Document?.RequestCharge ?? _deleteCharge;

    /// <summary>A successful delete: no document, the session token of the state after it, and its charge.</summary>
    public static StoreResult Deleted(string sessionToken, double requestCharge) =>
        new(StoreStatus.Ok, null, null, sessionToken, requestCharge);

    public static StoreResult Success(StoredDocument document) => new(document);

    public static StoreResult Failure(StoreStatus status, string? message = null, TimeSpan? retryAfter = null, string? sessionToken = null) =>
        status == StoreStatus.Ok
            ? throw new ArgumentOutOfRangeException(nameof(status), "A failure needs a failing status.")
            : new StoreResult(status, message, retryAfter, sessionToken);

    /// <summary>This failure with the store's id of the request that failed.</summary>
    public StoreResult WithActivityId(string? activityId) =>
        Status == StoreStatus.Ok || string.IsNullOrEmpty(activityId)
            ? this
            : new StoreResult(Status, Message, RetryAfter, _failureSessionToken, activityId: activityId);

    public static StoreResult NotFound { get; } = new(StoreStatus.NotFound, null, null);

    public static StoreResult PreconditionFailed { get; } = new(StoreStatus.PreconditionFailed, null, null);

    public static StoreResult AlreadyExists { get; } = new(StoreStatus.AlreadyExists, null, null);
}
