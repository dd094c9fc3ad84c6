using System.Collections.Concurrent;

namespace DocStore.Server.Consistency;

/// <summary>
/// The newest session token this process has seen per token scope, from every write and every read:
/// what a <c>CosmosClient</c> keeps in its session container, and the embedded store in its own
/// session. A store reads at a token it is given instead of its own session, so every read's merge
/// includes this one: the tokens DocStore adds can then only make a read fresher than the store's own
/// session would have read, never staler. Bounded by the number of scopes (a store's containers);
/// within a scope, a token holds one entry per partition key range.
/// </summary>
internal sealed class ProcessSession
{
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>The merge of every token seen in <paramref name="scope"/>, or <see langword="null"/> when none was.</summary>
    public string? Get(string scope) => _tokens.GetValueOrDefault(scope);

    /// <summary>Merges <paramref name="token"/> into the scope's token, range by range; never moves it backwards.</summary>
    public void Observe(string scope, string? token)
    {
        if (string.IsNullOrEmpty(token) || (_tokens.TryGetValue(scope, out var current) && current == token))
        {
            return;
        }

        _tokens.AddOrUpdate(
            scope,
            static (_, token) => token,
            static (_, current, token) => SessionToken.Merge(current, token) ?? current,
            token);
    }
}
