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
/// <remarks>
/// Every read comes through <see cref="Observe"/>, and most return a state the session already covers (on
/// Cosmos DB, one range's token beside a session of several ranges). The session is kept parsed, so such a
/// read costs one parse of its own short token and no merge, text or write.
/// </remarks>
internal sealed class ProcessSession
{
    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);

    /// <summary>The merge of every token seen in <paramref name="scope"/>, or <see langword="null"/> when none was.</summary>
    public string? Get(string scope) => _tokens.TryGetValue(scope, out var entry) ? entry.Text : null;

    /// <summary>Merges <paramref name="token"/> into the scope's token, range by range; never moves it backwards.</summary>
    public void Observe(string scope, string? token)
    {
        if (SessionToken.ParseOrNull(token) is not { } observed)
        {
            return;
        }

        while (true)
        {
            if (!_tokens.TryGetValue(scope, out var current))
            {
                if (_tokens.TryAdd(scope, new Entry(observed.ToString(), observed)))
                {
                    return;
                }

                continue;
            }

            if (Covers(current.Token, observed))
            {
                return;
            }

            var merged = SessionToken.Merge(current.Token, observed);
            if (_tokens.TryUpdate(scope, new Entry(merged.ToString(), merged), current))
            {
                return;
            }
        }
    }

    /// <summary>Whether merging <paramref name="observed"/> into <paramref name="session"/> would leave it as it is.</summary>
    private static bool Covers(SessionToken session, SessionToken observed)
    {
        foreach (var range in observed.Ranges)
        {
            if (session.Find(range.RangeId) is not { } held || !Same(SessionTokenRange.Merge(held, range), held))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Same(SessionTokenRange a, SessionTokenRange b) =>
        a.Version == b.Version
        && a.GlobalLsn == b.GlobalLsn
        && a.RegionLsns.Count == b.RegionLsns.Count
        && a.RegionLsns.All(region => b.RegionLsns.TryGetValue(region.Key, out var lsn) && lsn == region.Value);

    private sealed record Entry(string Text, SessionToken Token);
}
