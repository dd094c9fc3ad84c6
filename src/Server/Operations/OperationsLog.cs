namespace DocStore.Server.Operations;

/// <summary>Log messages of the operational side: shutdown, metrics.</summary>
internal static partial class OperationsLog
{
    [LoggerMessage(EventId = 400, EventName = "ShuttingDown", Level = LogLevel.Information,
        Message = "Shutting down: readiness is NOT_SERVING; new calls are accepted for {DrainDelay}, then calls in flight have {GracePeriod} to finish.")]
    public static partial void ShuttingDown(ILogger logger, TimeSpan drainDelay, TimeSpan gracePeriod);
}
