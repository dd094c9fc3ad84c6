namespace DocStore.Server.Storage;

internal sealed partial class OpenStoresAtStartup
{
    /// <summary>Start-up messages: ids 29x.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 290, EventName = "SessionTokenSharing", Level = LogLevel.Information, Message = "Session tokens: sharing {Sharing}")]
        public static partial void Sharing(ILogger logger, TokenSharing sharing);
    }
}
