namespace DocStore.Client;

/// <summary>
/// The stable reasons DocStore puts in an error's <c>ErrorInfo</c> (domain <see cref="Domain"/>), as
/// <see cref="DocStoreException.Reason"/> carries them. Each has its own exception type, so most callers catch the type
/// and never compare a reason.
/// </summary>
public static class DocStoreErrorReasons
{
    /// <summary>The <c>ErrorInfo</c> domain of DocStore's errors.</summary>
    public const string Domain = "docstore.v1";

    /// <summary>The document does not exist (NOT_FOUND): <see cref="DocStoreNotFoundException"/>.</summary>
    public const string DocumentNotFound = "DOCUMENT_NOT_FOUND";

    /// <summary>The collection is not configured on the server (NOT_FOUND): <see cref="DocStoreNotFoundException"/>.</summary>
    public const string CollectionNotFound = "COLLECTION_NOT_FOUND";

    /// <summary>A request field breaks DocStore's rules (INVALID_ARGUMENT): <see cref="DocStoreInvalidArgumentException"/>.</summary>
    public const string InvalidArgument = "INVALID_ARGUMENT";

    /// <summary>A patch cannot apply to the stored document (INVALID_ARGUMENT): <see cref="DocStoreInvalidArgumentException"/>.</summary>
    public const string PatchNotApplicable = "PATCH_NOT_APPLICABLE";

    /// <summary><c>ifMatch</c> is not the stored etag (ABORTED): <see cref="DocStoreETagMismatchException"/>.</summary>
    public const string ETagMismatch = "ETAG_MISMATCH";

    /// <summary>A create found its id taken (ALREADY_EXISTS): <see cref="DocStoreAlreadyExistsException"/>.</summary>
    public const string DocumentExists = "DOCUMENT_EXISTS";

    /// <summary>A conditional patch's document does not match (FAILED_PRECONDITION): <see cref="DocStoreConditionNotMetException"/>.</summary>
    public const string ConditionNotMet = "CONDITION_NOT_MET";

    /// <summary>No, bad or expired credentials (UNAUTHENTICATED): <see cref="DocStoreUnauthenticatedException"/>.</summary>
    public const string Unauthenticated = "UNAUTHENTICATED";

    /// <summary>The caller may not do this on this collection (PERMISSION_DENIED): <see cref="DocStorePermissionDeniedException"/>.</summary>
    public const string PermissionDenied = "PERMISSION_DENIED";

    /// <summary>The store is throttling (RESOURCE_EXHAUSTED, with a retry delay): <see cref="DocStoreThrottledException"/>.</summary>
    public const string Throttled = "THROTTLED";

    /// <summary>The server has as many change-feed streams open as it allows (RESOURCE_EXHAUSTED, with a retry delay): <see cref="DocStoreTooManyStreamsException"/>.</summary>
    public const string TooManyStreams = "TOO_MANY_STREAMS";

    /// <summary>The store is unreachable or busy (UNAVAILABLE): <see cref="DocStoreUnavailableException"/>.</summary>
    public const string StoreUnavailable = "STORE_UNAVAILABLE";

    /// <summary>The session token names a write the store has not seen (NOT_FOUND): <see cref="DocStoreSessionNotAvailableException"/>.</summary>
    public const string ReadSessionNotAvailable = "READ_SESSION_NOT_AVAILABLE";
}
