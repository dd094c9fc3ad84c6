using System.Collections.Concurrent;
using DocStore.Server.Storage;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Consistency;

/// <summary>
/// Decides which session token a read passes to the store, and records the tokens writes produce,
/// per (token scope, partition key), in the mode <c>DocStore:SessionTokens:Sharing</c> names:
/// <list type="bullet">
/// <item><c>Redis</c>: the merge of the caller's token, the one in Redis, and this process's session.</item>
/// <item><c>Local</c>: the merge of the caller's token and this process's session.</item>
/// <item><c>Off</c>: the caller's token only; otherwise the store's own session handling decides.</item>
/// </list>
/// This process's session (<see cref="ProcessSession"/>) is every token its writes and reads returned,
/// as the store's own session holds them: a token given to a store replaces its session for that
/// read, so a merge without it could read older data than no token at all.
/// Only <see cref="SessionConsistentStore"/> calls it, with the store's token scope for the collection.
/// </summary>
internal sealed partial class SessionTokenResolver
{
    private readonly TokenSharing _sharing;
    private readonly ProcessSession _session = new();
    private readonly RedisTokenStore? _redis;
    private readonly ConsistencyMetrics _metrics;
    private readonly ConcurrentDictionary<string, string> _scopeHashes = new(StringComparer.Ordinal);
    private readonly TokenKeys? _keys;

    public SessionTokenResolver(IOptions<DocStoreOptions> options, ConsistencyMetrics metrics, IServiceProvider services, ILogger<SessionTokenResolver> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sharing = options.Value.SessionTokens.EffectiveSharing(options.Value.Redis);
        _metrics = metrics;
        if (_sharing == TokenSharing.Redis)
        {
            _redis = services.GetRequiredService<RedisTokenStore>();
            _keys = new TokenKeys(KeyNameKey.From(options.Value.SessionTokens, options.Value.Redis));
            if (_keys.Source == KeyNameSource.Fixed)
            {
                Log.KeyNamesGuessable(logger);
            }
        }
    }

    /// <summary>The mode in force.</summary>
    public TokenSharing Sharing => _sharing;

    /// <summary>The token a read of this partition passes to the store, or <see langword="null"/> for none.</summary>
    /// <param name="scope">The store's token scope for the collection (<see cref="IDocumentStore.TokenScope"/>).</param>
    /// <param name="partitionKey">The partition read.</param>
    /// <param name="callerToken">The caller's token, if it sent one.</param>
    /// <param name="cancellationToken">Ends the Redis lookup early.</param>
    public ValueTask<string?> ForReadAsync(string scope, string partitionKey, string? callerToken, CancellationToken cancellationToken)
    {
        if (_sharing == TokenSharing.Off)
        {
            return ValueTask.FromResult(callerToken);
        }

        var own = _session.Get(scope);
        if (_redis is null)
        {
            return ValueTask.FromResult(SessionToken.Merge(callerToken, own));
        }

        return WithShared(RedisKeyFor(scope, partitionKey), callerToken, own, cancellationToken);
    }

    /// <summary>
    /// The token a read of several or all partitions passes to the store (a cross-partition query, the
    /// whole collection's change feed): the caller's merged with this process's session; the caller's
    /// alone with sharing <c>Off</c>.
    /// </summary>
    /// <param name="scope">The store's token scope for the collection (<see cref="IDocumentStore.TokenScope"/>).</param>
    /// <param name="callerToken">The caller's token, if it sent one.</param>
    public string? ForCollectionRead(string scope, string? callerToken) =>
        _sharing == TokenSharing.Off ? callerToken : SessionToken.Merge(callerToken, _session.Get(scope));

    /// <summary>Records the token a read returned in this process's session (not shared: a read writes nothing others need).</summary>
    /// <param name="scope">The store's token scope for the collection (<see cref="IDocumentStore.TokenScope"/>).</param>
    /// <param name="token">The token the store returned, if any.</param>
    public void Observe(string scope, string? token)
    {
        if (_sharing != TokenSharing.Off)
        {
            _session.Observe(scope, token);
        }
    }

    /// <summary>
    /// Records the token a write produced. Awaited before the write is acknowledged: a token shared
    /// after the reply would race the caller's next read. Never fails; a Redis failure is counted.
    /// </summary>
    /// <param name="scope">The store's token scope for the collection (<see cref="IDocumentStore.TokenScope"/>).</param>
    /// <param name="partitionKey">The partition written.</param>
    /// <param name="token">The token the write returned.</param>
    public async ValueTask AdvanceAsync(string scope, string partitionKey, string token)
    {
        // A store that returns no token (some Cosmos DB emulators) leaves nothing to share.
        if (_sharing == TokenSharing.Off || string.IsNullOrEmpty(token))
        {
            return;
        }

        _session.Observe(scope, token);
        if (_redis is not null)
        {
            _metrics.Advanced(await _redis.AdvanceAsync(RedisKeyFor(scope, partitionKey), token));
        }
    }

    private async ValueTask<string?> WithShared(string redisKey, string? callerToken, string? own, CancellationToken cancellationToken)
    {
        var (available, shared) = await _redis!.GetAsync(redisKey, cancellationToken);
        if (available)
        {
            _metrics.Lookup(shared is not null);
        }
        else
        {
            _metrics.UnsharedRead();
        }

        return SessionToken.Merge(callerToken, shared, own);
    }

    private string RedisKeyFor(string scope, string partitionKey)
    {
        // A store has a few scopes, fixed for the life of the process: hash each once.
        var hash = _scopeHashes.GetOrAdd(scope, static scope => TokenKeys.ScopeHash(scope));
        return _keys!.For(hash, partitionKey);
    }
}
