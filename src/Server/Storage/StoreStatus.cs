namespace DocStore.Server.Storage;

/// <summary>How a store call ended. Only <see cref="Ok"/> carries a document (a delete's carries none).</summary>
internal enum StoreStatus
{
    Ok,
    NotFound,
    AlreadyExists,
    PreconditionFailed,
    PatchNotApplicable,
    TooLarge,
    Throttled,
    Unavailable,

    /// <summary>The session token names a write the store has not seen and never will (Cosmos DB's 404/1002).</summary>
    SessionNotAvailable,

    /// <summary>A conditional patch's document does not match its condition.</summary>
    ConditionNotMet,

    /// <summary>A page token or change-feed continuation the store cannot use (another store file, garbage).</summary>
    InvalidContinuation,
}
