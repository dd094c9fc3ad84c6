using Grpc.Core;

namespace DocStore.Server.Api;

internal sealed partial class ExceptionInterceptor
{
    /// <summary>The API layer's log messages: ids 1xx.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 100, EventName = "UnhandledException", Level = LogLevel.Error, Message = "Unhandled exception in {Method}; the caller receives INTERNAL.")]
        public static partial void UnhandledException(ILogger logger, string method, Exception exception);

        [LoggerMessage(EventId = 101, EventName = "CallFailed", Level = LogLevel.Debug, Message = "{Method} ended with {StatusCode}: {Detail}")]
        public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);
    }
}
