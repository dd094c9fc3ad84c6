namespace DocStore.Server.Storage.Cosmos;

internal static partial class CosmosResponses
{
    /// <summary>Log messages about Cosmos DB's answers: ids 251-253 (the Cosmos DB store has ids 25x).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 251, EventName = "CosmosCredentialsRefused", Level = LogLevel.Error, Message = "Cosmos DB refused DocStore's credentials: HTTP {Status} sub-status {SubStatus} on {Operation} in container {Container} (activity {ActivityId}): {Reason}")]
        public static partial void Refused(ILogger logger, int status, int subStatus, CosmosOperation operation, string container, string? activityId, string reason);

        [LoggerMessage(EventId = 252, EventName = "CosmosUnavailable", Level = LogLevel.Warning, Message = "Cosmos DB unavailable: HTTP {Status} sub-status {SubStatus} on {Operation} in container {Container} (activity {ActivityId})")]
        public static partial void Failed(ILogger logger, int status, int subStatus, CosmosOperation operation, string container, string? activityId);

        [LoggerMessage(EventId = 253, EventName = "CosmosContainerMissing", Level = LogLevel.Error, Message = "Collection {Collection}: Cosmos DB container {Container} no longer exists (activity {ActivityId})")]
        public static partial void ContainerMissing(ILogger logger, string collection, string container, string? activityId);
    }
}
