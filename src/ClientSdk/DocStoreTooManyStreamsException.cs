using Grpc.Core;

namespace DocStore.Client;

/// <summary>
/// The server already has as many change-feed streams open as <c>DocStore:ChangeFeed:MaxStreams</c> allows
/// (RESOURCE_EXHAUSTED, <c>TOO_MANY_STREAMS</c>): wait <see cref="RetryAfter"/> and open the stream again, or
/// reach another server instance.
/// </summary>
public sealed class DocStoreTooManyStreamsException : DocStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="reason">The <c>ErrorInfo</c> reason, <c>TOO_MANY_STREAMS</c>.</param>
    /// <param name="metadata">The <c>ErrorInfo</c> metadata.</param>
    /// <param name="retryAfter">The delay from the error's <c>RetryInfo</c>, or null when it had none.</param>
    /// <param name="innerException">The call's <see cref="RpcException"/>.</param>
    public DocStoreTooManyStreamsException(string message, string? reason, IReadOnlyDictionary<string, string>? metadata, TimeSpan? retryAfter, RpcException innerException)
        : base(message, reason, metadata, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long to wait before opening the stream again, from the error's <c>RetryInfo</c>; null when the server gave none.</summary>
    public TimeSpan? RetryAfter { get; }
}
