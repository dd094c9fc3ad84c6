using Grpc.Core;

namespace DocStore.Client;

/// <summary>
/// The session token the read carried names a write that the store has not seen (NOT_FOUND,
/// <c>READ_SESSION_NOT_AVAILABLE</c>): Cosmos DB's 404/1002, or an embedded store file that was replaced or restored.
/// It says nothing about whether the document exists. Retry after a moment, or forget the partition's token
/// (<see cref="DocStoreClient.SetSessionToken"/> with null) to read without it.
/// </summary>
/// <remarks>Not a <see cref="DocStoreNotFoundException"/>, so that a handler of absent documents never mistakes it for one.</remarks>
public sealed class DocStoreSessionNotAvailableException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, <c>READ_SESSION_NOT_AVAILABLE</c>.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreSessionNotAvailableException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}
