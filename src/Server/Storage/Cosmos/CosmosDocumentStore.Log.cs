namespace DocStore.Server.Storage.Cosmos;

internal sealed partial class CosmosDocumentStore
{
    /// <summary>The Cosmos DB store's log messages: id 254 (the Cosmos DB store has ids 25x).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 254, EventName = "CosmosUnreachable", Level = LogLevel.Warning, Message = "Cosmos DB is not reachable (HTTP {Status})")]
        public static partial void Unreachable(ILogger logger, int status, Exception? exception);
    }
}
