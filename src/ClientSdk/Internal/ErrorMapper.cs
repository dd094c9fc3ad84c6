using Google.Rpc;
using Grpc.Core;

namespace DocStore.Client.Internal;

/// <summary>Turns a failed call's <see cref="RpcException"/> into the SDK's exception for it.</summary>
internal static class ErrorMapper
{
    public static Exception Map(RpcException e, CancellationToken cancellationToken)
    {
        if (e.StatusCode == Grpc.Core.StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The DocStore call was canceled.", e, cancellationToken);
        }

        var status = e.GetRpcStatus();
        var info = status?.GetDetail<ErrorInfo>();
        if (info is not null && info.Domain != DocStoreErrorReasons.Domain)
        {
            info = null;
        }

        var reason = info?.Reason;
        Dictionary<string, string>? metadata = info is null || info.Metadata.Count == 0
            ? null
            : new Dictionary<string, string>(info.Metadata, StringComparer.Ordinal);
        var message = string.IsNullOrEmpty(status?.Message) ? e.Status.Detail : status.Message;
        if (string.IsNullOrEmpty(message))
        {
            message = $"The DocStore call failed with {e.StatusCode}.";
        }

        var error = Map(e.StatusCode, message, reason, metadata, status, e);
        return metadata is not null && metadata.TryGetValue("operation_index", out var index) && int.TryParse(index, System.Globalization.CultureInfo.InvariantCulture, out var operationIndex)
            ? new DocStoreBatchException(operationIndex, error)
            : error;
    }

    private static DocStoreException Map(Grpc.Core.StatusCode code, string message, string? reason, IReadOnlyDictionary<string, string>? metadata, Google.Rpc.Status? status, RpcException e)
    {
        switch (code)
        {
            case Grpc.Core.StatusCode.AlreadyExists:
                return new DocStoreAlreadyExistsException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.NotFound when reason == DocStoreErrorReasons.ReadSessionNotAvailable:
                return new DocStoreSessionNotAvailableException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.NotFound:
                return new DocStoreNotFoundException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.Aborted when reason == DocStoreErrorReasons.ETagMismatch:
                return new DocStoreETagMismatchException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.FailedPrecondition when reason == DocStoreErrorReasons.ConditionNotMet:
                return new DocStoreConditionNotMetException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.InvalidArgument:
                var violations = status?.GetDetail<BadRequest>()?.FieldViolations
                    .Select(v => new DocStoreFieldViolation(v.Field, v.Description))
                    .ToArray();
                return new DocStoreInvalidArgumentException(message, reason, metadata, violations, e);
            case Grpc.Core.StatusCode.ResourceExhausted when reason == DocStoreErrorReasons.Throttled:
                return new DocStoreThrottledException(message, reason, metadata, RetryDelay(status), e);
            case Grpc.Core.StatusCode.ResourceExhausted when reason == DocStoreErrorReasons.TooManyStreams:
                return new DocStoreTooManyStreamsException(message, reason, metadata, RetryDelay(status), e);
            case Grpc.Core.StatusCode.DeadlineExceeded:
                return new DocStoreDeadlineExceededException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.Unauthenticated:
                return new DocStoreUnauthenticatedException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.PermissionDenied:
                return new DocStorePermissionDeniedException(message, reason, metadata, e);
            case Grpc.Core.StatusCode.Unavailable:
                return new DocStoreUnavailableException(message, reason, metadata, e);
            default:
                return new DocStoreException(message, reason, metadata, e);
        }
    }

    private static TimeSpan? RetryDelay(Google.Rpc.Status? status) => status?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
}
