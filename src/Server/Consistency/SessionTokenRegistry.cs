using System.Collections.Concurrent;
using DocStore.Server.Storage;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Consistency;

/// <summary>
/// Decides which session token a read passes to the store, and records the tokens writes produce,
/// per (collection storage, partition key), in the mode <c>DocStore:SessionTokens:Sharing</c> names:
/// <list type="bullet">
/// <item><c>Redis</c>: the merge of the caller's token, the one in Redis, and this process's own.</item>
/// <item><c>Local</c>: the merge of the caller's token and this process's own.</item>
/// <item><c>Off</c>: the caller's token only; otherwise the store's own session handling decides.</item>
/// </list>
/// </summary>
internal sealed class SessionTokenRegistry
{
    private readonly TokenSharing _sharing;
    private readonly IDocumentStore _store;
    private readonly RecentTokens _recent;
    private readonly RedisTokenStore? _redis;
    private readonly ConsistencyMetrics _metrics;
    private readonly ConcurrentDictionary<string, (string Scope, string Hash)> _scopes = new(StringComparer.Ordinal);

    public SessionTokenRegistry(IOptions<DocStoreOptions> options, IDocumentStore store, TimeProvider time, ConsistencyMetrics metrics, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sharing = options.Value.SessionTokens.EffectiveSharing(options.Value.Redis);
        _store = store;
        _metrics = metrics;
        _recent = new RecentTokens(time, options.Value.SessionTokens.Ttl);
        _redis = _sharing == TokenSharing.Redis ? services.GetRequiredService<RedisTokenStore>() : null;
    }

    /// <summary>The mode in force.</summary>
    public TokenSharing Sharing => _sharing;

    /// <summary>The token a read of this partition passes to the store, or <see langword="null"/> for none.</summary>
    public ValueTask<string?> ForReadAsync(CollectionDefinition collection, string partitionKey, string? callerToken, CancellationToken cancellationToken)
    {
        if (_sharing == TokenSharing.Off)
        {
            return ValueTask.FromResult(callerToken);
        }

        var key = KeyFor(collection, partitionKey);
        var own = _recent.Get(key.Scope, partitionKey);
        if (_redis is null)
        {
            return ValueTask.FromResult(SessionToken.Merge(callerToken, own));
        }

        return WithShared(key.RedisKey, callerToken, own, cancellationToken);
    }

    /// <summary>
    /// Records the token a write produced. Awaited before the write is acknowledged: a token shared
    /// after the reply would race the caller's next read. Never fails; a Redis failure is counted.
    /// </summary>
    public async ValueTask AdvanceAsync(CollectionDefinition collection, string partitionKey, string token)
    {
        // A store that returns no token (some Cosmos DB emulators) leaves nothing to share.
        if (_sharing == TokenSharing.Off || string.IsNullOrEmpty(token))
        {
            return;
        }

        var key = KeyFor(collection, partitionKey);
        _recent.Advance(key.Scope, partitionKey, token);
        if (_redis is not null)
        {
            _metrics.Advanced(await _redis.AdvanceAsync(key.RedisKey, token));
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

    private (string Scope, string RedisKey) KeyFor(CollectionDefinition collection, string partitionKey)
    {
        // A store's scope for a collection is fixed for the life of the process: compute it once.
        var (scope, hash) = _scopes.GetOrAdd(
            collection.Name,
            static (_, state) =>
            {
                var scope = state.Store.TokenScope(state.Collection);
                return (scope, TokenKeys.ScopeHash(scope));
            },
            (Store: _store, Collection: collection));
        return (scope, _redis is null ? string.Empty : TokenKeys.For(hash, partitionKey));
    }
}
