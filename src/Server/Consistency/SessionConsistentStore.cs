using System.Collections.Concurrent;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;

namespace DocStore.Server.Consistency;

/// <summary>
/// The store the gRPC service receives: the configured store, with session tokens shared across
/// calls, and across pods when <c>DocStore:SessionTokens:Sharing</c> is <c>Redis</c>. Before every
/// read it passes the store the token <see cref="SessionTokenResolver"/> picks (the caller's merged
/// with Redis's and this process's session), and records the token the read returned in this
/// process's session; after every successful write it advances those tokens for the written
/// partition, before the write is acknowledged. A failed write advances nothing.
/// </summary>
/// <remarks>
/// Commands are handled by their kind, <see cref="ReadCommand{TResult}"/> or <see cref="WriteCommand{TResult}"/>:
/// a new command gets token handling without an edit here, and a contract test runs every command type through it.
/// </remarks>
internal sealed class SessionConsistentStore(IDocumentStore inner, IStoreIdentity identity, SessionTokenResolver tokens) : IDocumentStore
{
    private readonly ConcurrentDictionary<string, string> _scopes = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<TResult> ExecuteAsync<TResult>(StoreCommand<TResult> command, CancellationToken cancellationToken)
        where TResult : IStoreOutcome
    {
        switch (command)
        {
            case ReadCommand<TResult> read:
                var token = await ForReadAsync(read, cancellationToken);
                return Observed(read, await inner.ExecuteAsync(ReferenceEquals(token, read.SessionToken) ? read : read with { SessionToken = token }, cancellationToken));
            case WriteCommand<TResult> write:
                return await AdvancedAsync(write, await inner.ExecuteAsync(write, cancellationToken));
            default:
                throw new ArgumentException($"{command.GetType().Name} is neither a {nameof(ReadCommand<TResult>)} nor a {nameof(WriteCommand<TResult>)}: say how session tokens flow through it.", nameof(command));
        }
    }

    /// <summary>
    /// The token a read passes to the store: for one partition, the caller's merged with that partition's shared
    /// one and this process's session; for several, the caller's merged with this process's session and each
    /// partition's own lookup, range by range; across every partition (a cross-partition query, the whole
    /// collection's change feed), the caller's merged with this process's session: another pod's write that the
    /// caller holds no token for may then be missing for up to the replicas' lag.
    /// </summary>
    private async ValueTask<string?> ForReadAsync<TResult>(ReadCommand<TResult> read, CancellationToken cancellationToken)
        where TResult : IStoreOutcome
    {
        var partitions = read.Partitions;
        var scope = TokenScope(read.Collection);
        if (partitions.Count == 1)
        {
            return await tokens.ForReadAsync(scope, partitions[0], read.SessionToken, cancellationToken);
        }

        var merged = tokens.ForCollectionRead(scope, read.SessionToken);
        foreach (var partitionKey in partitions)
        {
            merged = SessionToken.Merge(merged, await tokens.ForReadAsync(scope, partitionKey, read.SessionToken, cancellationToken));
        }

        return merged;
    }

    /// <summary>Records a read's token in this process's session, as the store's own session does.</summary>
    private TResult Observed<TResult>(ReadCommand<TResult> read, TResult result)
        where TResult : IStoreOutcome
    {
        tokens.Observe(TokenScope(read.Collection), result.SessionToken);
        return result;
    }

    /// <summary>Advances the tokens with a successful write's, awaited: a token shared after the reply would race the caller's next read.</summary>
    private async Task<TResult> AdvancedAsync<TResult>(WriteCommand<TResult> write, TResult result)
        where TResult : IStoreOutcome
    {
        if (result.Status == StoreStatus.Ok && result.SessionToken is { } token)
        {
            await tokens.AdvanceAsync(TokenScope(write.Collection), write.PartitionKey, token);
        }

        return result;
    }

    /// <summary>A store's scope for a collection is fixed for the life of the process: computed once.</summary>
    private string TokenScope(CollectionDefinition collection) =>
        _scopes.GetOrAdd(collection.Name, static (_, state) => state.identity.TokenScope(state.collection), (identity, collection));
}
