// The settings types are public and keep the project's root namespace, as DocStoreOptions does;
// their files sit beside the part that uses them, with that part's validator.
namespace DocStore.Server;

/// <summary>The Redis that pods share session tokens through (<c>DocStore:Redis</c>).</summary>
public sealed class RedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>
    /// (<c>DocStore:Redis:Configuration</c>). Empty: no Redis.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// A PEM file of the CAs that sign the Redis server's TLS certificate (<c>DocStore:Redis:TrustedCaPath</c>), for a
    /// Redis whose certificate the machine does not trust (a private CA). The certificate must then chain to one of
    /// these and name the host connected to; the configuration must say <c>ssl=true</c>. Empty: the machine's roots.
    /// </summary>
    public string? TrustedCaPath { get; set; }
}

/// <summary>Where session tokens are shared.</summary>
public enum TokenSharing
{
    /// <summary>Through Redis, across every pod: reads see writes made through any pod.</summary>
    Redis,

    /// <summary>In this process only: right for a single instance.</summary>
    Local,

    /// <summary>Not at all: the store's own session handling decides, as the Cosmos SDK does alone (stale reads across pods).</summary>
    Off,
}

/// <summary>How session tokens are shared (<c>DocStore:SessionTokens</c>).</summary>
public sealed class SessionTokenOptions
{
    /// <summary>
    /// Where tokens are shared (<c>DocStore:SessionTokens:Sharing</c>). Defaults to
    /// <see cref="TokenSharing.Redis"/> when <c>DocStore:Redis:Configuration</c> is set, else <see cref="TokenSharing.Local"/>.
    /// </summary>
    public TokenSharing? Sharing { get; set; }

    /// <summary>How long a token lives in Redis (<c>DocStore:SessionTokens:Ttl</c>). Defaults to 10 minutes.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a call waits for Redis before going on without it (<c>DocStore:SessionTokens:RedisTimeout</c>).
    /// Defaults to 50 milliseconds.
    /// </summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long Redis is skipped after repeated failures, before one call tries it again
    /// (<c>DocStore:SessionTokens:BreakDuration</c>). Defaults to 5 seconds.
    /// </summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The mode in force: <see cref="Sharing"/> when set, else <see cref="TokenSharing.Redis"/> when
    /// <paramref name="redis"/> has a configuration, else <see cref="TokenSharing.Local"/>. The one place this rule lives.
    /// </summary>
    public TokenSharing EffectiveSharing(RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        return Sharing ?? (string.IsNullOrWhiteSpace(redis.Configuration) ? TokenSharing.Local : TokenSharing.Redis);
    }
}
