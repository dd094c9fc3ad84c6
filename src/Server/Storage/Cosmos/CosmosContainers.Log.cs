namespace DocStore.Server.Storage.Cosmos;

internal sealed partial class CosmosContainers
{
    /// <summary>The Cosmos DB containers' log messages: id 250 (the Cosmos DB store has ids 25x).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 250, EventName = "CosmosContainerReady", Level = LogLevel.Information, Message = "Collection {Collection} is Cosmos DB container {Database}/{Container} (resource id {ResourceId})")]
        public static partial void ContainerReady(ILogger logger, string collection, string database, string container, string resourceId);
    }
}
