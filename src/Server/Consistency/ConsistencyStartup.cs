namespace DocStore.Server.Consistency;

/// <summary>
/// Builds the session-token registry, and with it the Redis connection, while the host starts: a
/// first connection made on the request path would block a thread-pool thread for up to the connect
/// timeout while calls queue behind it.
/// </summary>
internal sealed class ConsistencyStartup(IServiceProvider services, ILogger<ConsistencyStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var registry = services.GetRequiredService<SessionTokenRegistry>();
        ConsistencyLog.Sharing(logger, registry.Sharing);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The consistency layer's start-up messages.</summary>
internal static partial class ConsistencyLog
{
    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Session tokens: sharing {Sharing}")]
    public static partial void Sharing(ILogger logger, TokenSharing sharing);
}
