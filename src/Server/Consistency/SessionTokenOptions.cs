// The settings types are public and keep the project's root namespace, as DocStoreOptions does;
// their files sit beside the part that uses them, with that part's validator.
namespace DocStore.Server;

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
    /// The secret that keys the hash of partition keys in Redis key names (<c>DocStore:SessionTokens:KeyNameSecret</c>),
    /// at least 32 characters; every pod of a deployment must have the same one. Defaults to a key derived from the
    /// password in <c>DocStore:Redis:Configuration</c>, or, without one, to a fixed key (names are then hashed
    /// but can be reversed by guessing, and the server warns at start-up).
    /// </summary>
    public string? KeyNameSecret { get; set; }

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
