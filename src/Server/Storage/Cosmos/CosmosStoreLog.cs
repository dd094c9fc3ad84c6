namespace DocStore.Server.Storage.Cosmos;

/// <summary>The Cosmos DB store's log messages.</summary>
internal static partial class CosmosStoreLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Collection {Collection} is Cosmos DB container {Database}/{Container} (resource id {ResourceId})")]
    public static partial void ContainerReady(ILogger logger, string collection, string database, string container, string resourceId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Cosmos DB refused DocStore's credentials: HTTP {Status} sub-status {SubStatus} on {Operation} in container {Container} (activity {ActivityId}): {Reason}")]
    public static partial void Refused(ILogger logger, int status, int subStatus, CosmosOperation operation, string container, string? activityId, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Cosmos DB unavailable: HTTP {Status} sub-status {SubStatus} on {Operation} in container {Container} (activity {ActivityId})")]
    public static partial void Failed(ILogger logger, int status, int subStatus, CosmosOperation operation, string container, string? activityId);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Collection {Collection}: Cosmos DB container {Container} no longer exists (activity {ActivityId})")]
    public static partial void ContainerMissing(ILogger logger, string collection, string container, string? activityId);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Cosmos DB is not reachable (HTTP {Status})")]
    public static partial void Unreachable(ILogger logger, int status, Exception? exception);
}
