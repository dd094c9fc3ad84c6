namespace DocStore.Server.Consistency;

internal sealed partial class RedisTokenStore
{
    /// <summary>The Redis token store's log messages: ids 30x (the consistency layer has ids 3xx).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 300, EventName = "RedisFailed", Level = LogLevel.Warning, Message = "Redis {Operation} failed ({Kind}): {Message}; the call goes on without the shared token")]
        public static partial void Failed(ILogger logger, string operation, string kind, string message);

        [LoggerMessage(EventId = 301, EventName = "RedisBreakerOpened", Level = LogLevel.Warning, Message = "Redis keeps failing: skipping it for {BreakDuration}; reads go out without shared session tokens meanwhile")]
        public static partial void BreakerOpened(ILogger logger, TimeSpan breakDuration);

        [LoggerMessage(EventId = 302, EventName = "RedisBreakerClosed", Level = LogLevel.Information, Message = "Redis answers again: sharing session tokens resumes")]
        public static partial void BreakerClosed(ILogger logger);
    }
}
