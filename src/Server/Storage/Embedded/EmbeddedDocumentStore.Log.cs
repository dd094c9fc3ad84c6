namespace DocStore.Server.Storage.Embedded;

internal sealed partial class EmbeddedDocumentStore
{
    /// <summary>The embedded store's log messages: ids 20x.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 200, EventName = "EmbeddedStoreOpened", Level = LogLevel.Information, Message = "Embedded store on {Path}")]
        public static partial void Opened(ILogger logger, string path);

        [LoggerMessage(EventId = 201, EventName = "EmbeddedStoreUnavailable", Level = LogLevel.Warning, Message = "Embedded store {Path} is unavailable (SQLite error {Code})")]
        public static partial void Unavailable(ILogger logger, string path, int code, Exception exception);
    }
}
