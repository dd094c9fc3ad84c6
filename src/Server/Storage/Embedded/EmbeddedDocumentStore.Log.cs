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

        [LoggerMessage(EventId = 202, EventName = "EmbeddedStoreFileLost", Level = LogLevel.Error, Message = "Embedded store file {Path} {What} while the server ran: writes are refused and readiness is NOT_SERVING. Restore the file and restart the server; a restart now would start an empty store.")]
        public static partial void FileLost(ILogger logger, string path, string what);

        [LoggerMessage(EventId = 203, EventName = "EmbeddedStoreWritableAgain", Level = LogLevel.Information, Message = "Embedded store {Path} accepts writes again")]
        public static partial void WritableAgain(ILogger logger, string path);
    }
}
