using Grpc.Core;

namespace DocStore.Client;

/// <summary>
/// A DocStore call failed. The <see cref="Exception.InnerException"/> is the <see cref="RpcException"/>
/// that the call ended with. Derived types name the failures callers handle, one per reason of
/// <see cref="DocStoreErrorReasons"/> (and <see cref="DocStoreDeadlineExceededException"/>); the base type itself
/// is thrown only for a status DocStore does not document, such as INTERNAL.
/// </summary>
public class DocStoreException : Exception
{
    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    /// <summary>Creates an exception for a failed call.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, or null when the status carried none.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata, or null for none.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(innerException);
        Reason = reason;
        Metadata = metadata ?? EmptyMetadata;
    }

    /// <summary>The gRPC status code the call ended with.</summary>
    public StatusCode StatusCode => RpcException.StatusCode;

    /// <summary>
    /// The stable reason from the error's <c>ErrorInfo</c> (domain <c>docstore.v1</c>), such as
    /// <c>DOCUMENT_NOT_FOUND</c> or <c>ETAG_MISMATCH</c>; null when the status carried none (for example
    /// when the transport, not the server, failed).
    /// </summary>
    public string? Reason { get; }

    /// <summary>The <c>ErrorInfo</c> metadata, such as <c>collection</c> and <c>id</c>; empty when there is none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The <see cref="RpcException"/> the call ended with.</summary>
    public RpcException RpcException => (RpcException)InnerException!;
}

/// <summary>The document, or the collection, does not exist (NOT_FOUND).</summary>
public sealed class DocStoreNotFoundException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was not found.</param>
    /// <param name="reason"><c>DOCUMENT_NOT_FOUND</c> or <c>COLLECTION_NOT_FOUND</c>.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreNotFoundException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }

    /// <summary>True when the collection itself is not configured on the server (<c>COLLECTION_NOT_FOUND</c>).</summary>
    public bool IsCollectionMissing => Reason == DocStoreErrorReasons.CollectionNotFound;
}

/// <summary>The stored document's etag is not the one given as <c>ifMatch</c> (ABORTED, <c>ETAG_MISMATCH</c>): read it again and retry.</summary>
public sealed class DocStoreETagMismatchException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What did not match.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreETagMismatchException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}

/// <summary>
/// The request broke one of DocStore's rules (INVALID_ARGUMENT): <see cref="FieldViolations"/> names each
/// bad field. A patch that cannot apply to the stored document has the reason <c>PATCH_NOT_APPLICABLE</c>
/// and no field violations.
/// </summary>
public sealed class DocStoreInvalidArgumentException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="reason"><c>INVALID_ARGUMENT</c> or <c>PATCH_NOT_APPLICABLE</c>.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="fieldViolations">The bad fields, from the error's <c>BadRequest</c>.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreInvalidArgumentException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, IReadOnlyList<DocStoreFieldViolation>? fieldViolations, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
        FieldViolations = fieldViolations ?? [];
    }

    /// <summary>Each bad field of the request (such as <c>document.id</c> or <c>operations[2].set.path</c>) and what is wrong with it.</summary>
    public IReadOnlyList<DocStoreFieldViolation> FieldViolations { get; }
}

/// <summary>One bad field of a request.</summary>
/// <param name="Field">The request field, such as <c>partition_key</c> or <c>document.id</c>.</param>
/// <param name="Description">What is wrong with it.</param>
public sealed record DocStoreFieldViolation(string Field, string Description);

/// <summary>The store is throttling requests (RESOURCE_EXHAUSTED, <c>THROTTLED</c>): wait <see cref="RetryAfter"/> and retry.</summary>
public sealed class DocStoreThrottledException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="retryAfter">The delay from the error's <c>RetryInfo</c>, or null when it had none.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreThrottledException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, TimeSpan? retryAfter, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long to wait before retrying, from the error's <c>RetryInfo</c>; null when the server gave none.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>
/// The server could not reach its store, or the server itself could not be reached (UNAVAILABLE), after the
/// client's retries. <see cref="DocStoreException.Reason"/> is <c>STORE_UNAVAILABLE</c> when the server answered.
/// </summary>
public sealed class DocStoreUnavailableException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, or null for a transport failure.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreUnavailableException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}

/// <summary>A conditional patch's document does not match its condition (FAILED_PRECONDITION, <c>CONDITION_NOT_MET</c>); nothing changed.</summary>
public sealed class DocStoreConditionNotMetException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What did not match.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreConditionNotMetException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}

/// <summary>
/// The call carried no valid credentials (UNAUTHENTICATED): no token or client certificate, or one the server did not
/// accept (expired, wrong audience or issuer, untrusted).
/// </summary>
public sealed class DocStoreUnauthenticatedException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the server said.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, <c>UNAUTHENTICATED</c>.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreUnauthenticatedException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}

/// <summary>
/// The caller is known but may not do this (PERMISSION_DENIED): <see cref="Collection"/> and <see cref="Action"/> say what
/// it lacks, a role such as <c>items.read</c> or a grant.
/// </summary>
public sealed class DocStorePermissionDeniedException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the server said, naming the caller it saw.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, <c>PERMISSION_DENIED</c>.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata: <c>collection</c> and <c>action</c>.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStorePermissionDeniedException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }

    /// <summary>The collection the call needed the permission on; empty when the server did not say.</summary>
    public string Collection => Metadata.GetValueOrDefault("collection", "");

    /// <summary>The action the caller lacks (<c>read</c>, <c>upsert</c>, ...); empty when the server did not say.</summary>
    public string Action => Metadata.GetValueOrDefault("action", "");
}

/// <summary>The document already exists (ALREADY_EXISTS, <c>DOCUMENT_EXISTS</c>): a create found its id taken.</summary>
public sealed class DocStoreAlreadyExistsException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What exists.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreAlreadyExistsException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}

/// <summary>
/// A batch applied nothing because one operation failed: <see cref="OperationIndex"/> names it, and
/// <see cref="OperationError"/> is that operation's own error (not found, etag mismatch, already exists, ...).
/// </summary>
public sealed class DocStoreBatchException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationIndex">The failing operation's 0-based index.</param>
    /// <param name="operationError">The failing operation's own error.</param>
    public DocStoreBatchException(int operationIndex, DocStoreException operationError)
        : base((operationError ?? throw new ArgumentNullException(nameof(operationError))).Message, operationError.Reason, operationError.Metadata, operationError.RpcException)
    {
        OperationIndex = operationIndex;
        OperationError = operationError;
    }

    /// <summary>The 0-based index of the operation that failed.</summary>
    public int OperationIndex { get; }

    /// <summary>The failing operation's own error, of the type a single call would have thrown.</summary>
    public DocStoreException OperationError { get; }
}
