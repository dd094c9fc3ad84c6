using System.Collections.Concurrent;

namespace DocStore.Client.Internal;

/// <summary>
/// The newest session token this client has seen for each (collection, partition key). Bounded: past
/// its capacity, the entries written longest ago are forgotten (a forgotten partition reads as a
/// client without a token would, which is at worst stale, never wrong).
/// </summary>
internal sealed class SessionTokenCache(int capacity)
{
    private readonly ConcurrentDictionary<(string Collection, string PartitionKey), Entry> _tokens = new();
    private long _clock;

    public int Count => _tokens.Count;

    public string? Get(string collection, string partitionKey) =>
        _tokens.TryGetValue((collection, partitionKey), out var entry) ? entry.Token : null;

    /// <summary>Merges <paramref name="token"/> into what is known for the partition.</summary>
    public void Observe(string collection, string partitionKey, string token)
    {
        if (token.Length == 0)
        {
            return;
        }

        var stamp = Interlocked.Increment(ref _clock);
        _tokens.AddOrUpdate(
            (collection, partitionKey),
            static (_, state) => new Entry(state.token, state.stamp),
            static (_, existing, state) => new Entry(Merge(existing.Token, state.token), state.stamp),
            (token, stamp));
        TrimIfFull();
    }

    /// <summary>
    /// The merge of <paramref name="known"/> and <paramref name="seen"/> by the server's rule
    /// (<see cref="SessionToken.Merge(SessionToken, SessionToken)"/>). A token that does not parse is
    /// opaque: the one seen last wins.
    /// </summary>
    internal static string Merge(string? known, string seen) =>
        SessionToken.ParseOrNull(seen) is { } token && SessionToken.ParseOrNull(known) is { } prior
            ? SessionToken.Merge(prior, token).ToString()
            : seen;

    /// <summary>Replaces what is known for the partition, as a caller carrying a session from elsewhere asks.</summary>
    public void Set(string collection, string partitionKey, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            _tokens.TryRemove((collection, partitionKey), out _);
            return;
        }

        _tokens[(collection, partitionKey)] = new Entry(token, Interlocked.Increment(ref _clock));
        TrimIfFull();
    }

    private void TrimIfFull()
    {
        if (_tokens.Count <= capacity)
        {
            return;
        }

        // Forget the oldest quarter at once, so that trimming is rare (amortized constant per write).
        var keep = capacity - (capacity / 4);
        foreach (var (key, _) in _tokens.OrderByDescending(e => e.Value.Stamp).Skip(keep).ToList())
        {
            _tokens.TryRemove(key, out _);
        }
    }

    private sealed record Entry(string Token, long Stamp);
}
