using Grpc.Core;

namespace DocStore.Client;

/// <summary>
/// The call's deadline passed before it completed (DEADLINE_EXCEEDED): the per-call
/// <see cref="DocStoreCallOptions.Timeout"/>, or else <see cref="DocStoreClientOptions.DefaultDeadline"/>. A write may
/// or may not have been applied.
/// </summary>
public sealed class DocStoreDeadlineExceededException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason; usually null, as a deadline carries none.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreDeadlineExceededException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
    }
}
