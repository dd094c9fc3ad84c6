using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace DocStore.Server.Consistency;

/// <summary>
/// Commands Redis refuses to DocStore's user (an ACL without a command or key pattern DocStore needs: NOPERM).
/// That is a configuration to fix, not an outage: it is reported as a refusal, counted as <c>denied</c>, never
/// opens the circuit breaker (Redis answers at once, so skipping it would save nothing), and is logged at most
/// once a minute, naming the refused command and never a key.
/// </summary>
internal sealed partial class RedisTokenStore
{
    private static readonly TimeSpan DeniedLogInterval = TimeSpan.FromMinutes(1);

    private long _deniedLoggedAt = long.MinValue;

    /// <summary>Whether Redis refused the command for the connection's user (<c>NOPERM</c>).</summary>
    private static bool IsDenied(Exception e) =>
        e is RedisServerException && e.Message.StartsWith("NOPERM", StringComparison.Ordinal);

    private void ReportDenied(string operation, Exception e)
    {
        _metrics.RedisError("denied");
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _deniedLoggedAt);
        if ((last == long.MinValue || now - last >= (long)DeniedLogInterval.TotalMilliseconds)
            && Interlocked.CompareExchange(ref _deniedLoggedAt, now, last) == last)
        {
            Log.Denied(_logger, operation, Refused(e.Message));
        }
    }

    /// <summary>What was refused: <c>the 'evalsha' command</c>, or a key, which is never named.</summary>
    private static string Refused(string message) =>
        QuotedCommand().Match(message) is { Success: true } command
            ? $"the '{command.Groups[1].Value}' command"
            : message.Contains("key", StringComparison.OrdinalIgnoreCase) ? "a key outside the user's key patterns" : "a command or key";

    [GeneratedRegex("'([a-z|]+)' command", RegexOptions.CultureInvariant, 100)]
    private static partial Regex QuotedCommand();

    private static partial class Log
    {
        [LoggerMessage(EventId = 304, EventName = "RedisDenied", Level = LogLevel.Warning, Message = "Redis refused DocStore's {Operation}: its user may not run {Refused} (NOPERM); fix the Redis ACL (docs/redis.md lists what DocStore needs). Reads go out without shared session tokens meanwhile")]
        public static partial void Denied(ILogger logger, string operation, string refused);
    }
}
