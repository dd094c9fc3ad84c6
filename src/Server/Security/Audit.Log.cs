namespace DocStore.Server.Security;

internal sealed partial class Audit
{
    /// <summary>The audit events: ids 800-899.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 800, EventName = "AuditWrite", Level = LogLevel.Information,
            Message = "{Outcome}: {Principal} {Action} in {Collection}, id {DocumentId}, partition key {PartitionKey}, new etag {ETag}, trace {TraceId}")]
        public static partial void Write(ILogger logger, string outcome, string principal, string action, string collection, string documentId, string partitionKey, string etag, string traceId);

        [LoggerMessage(EventId = 801, EventName = "AuditDenied", Level = LogLevel.Warning,
            Message = "PERMISSION_DENIED: {Principal} {Action} in {Collection}, id {DocumentId}, partition key {PartitionKey}, trace {TraceId}")]
        public static partial void Denied(ILogger logger, string principal, string action, string collection, string documentId, string partitionKey, string traceId);

        [LoggerMessage(EventId = 802, EventName = "AuditUnauthenticated", Level = LogLevel.Warning,
            Message = "UNAUTHENTICATED: {Action} in {Collection}, id {DocumentId}, partition key {PartitionKey} ({Reason}), trace {TraceId}")]
        public static partial void Unauthenticated(ILogger logger, string action, string collection, string documentId, string partitionKey, string reason, string traceId);
    }
}
