namespace DocStore.Server.Consistency;

internal sealed partial class SessionTokenResolver
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 305, EventName = "TokenKeyNamesGuessable", Level = LogLevel.Warning, Message = "DocStore:SessionTokens:KeyNameSecret is not set and the Redis configuration has no password: partition keys in Redis key names are hashed with a key anyone can know, so a name can be reversed by guessing; set DocStore:SessionTokens:KeyNameSecret (the same on every pod)")]
        public static partial void KeyNamesGuessable(ILogger logger);
    }
}
