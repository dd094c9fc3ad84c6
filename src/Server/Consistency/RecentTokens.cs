using System.Collections.Concurrent;

namespace DocStore.Server.Consistency;

/// <summary>
/// The newest session token this process has produced per (token scope, partition key): the
/// <c>Local</c> registry, and the part of a read's merge that does not depend on Redis. Bounded: entries
/// expire after the token TTL, and past <see cref="Capacity"/> entries the oldest half is dropped.
/// </summary>
internal sealed class RecentTokens(TimeProvider time, TimeSpan ttl)
{
    /// <summary>The most entries kept.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<(string Scope, string PartitionKey), Entry> _entries = new();
    private int _trimming;

    /// <summary>The token for a partition, or <see langword="null"/> when none is known or it expired.</summary>
    public string? Get(string scope, string partitionKey)
    {
        if (!_entries.TryGetValue((scope, partitionKey), out var entry))
        {
            return null;
        }

        return entry.ExpiresAt > time.GetTimestamp() ? entry.Token : null;
    }

    /// <summary>Merges <paramref name="token"/> into the partition's entry; never moves it backwards.</summary>
    public void Advance(string scope, string partitionKey, string token)
    {
        var expiresAt = time.GetTimestamp() + (long)(ttl.TotalSeconds * time.TimestampFrequency);
        _entries.AddOrUpdate(
            (scope, partitionKey),
            static (_, state) => new Entry(state.token, state.expiresAt),
            static (_, current, state) => new Entry(SessionToken.Merge(current.Token, state.token) ?? state.token, state.expiresAt),
            (token, expiresAt));
        if (_entries.Count > Capacity)
        {
            Trim();
        }
    }

    private void Trim()
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }

        try
        {
            var oldestFirst = _entries.ToArray();
            Array.Sort(oldestFirst, static (a, b) => a.Value.ExpiresAt.CompareTo(b.Value.ExpiresAt));
            foreach (var (key, _) in oldestFirst.AsSpan(0, oldestFirst.Length / 2))
            {
                _entries.TryRemove(key, out _);
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private readonly record struct Entry(string Token, long ExpiresAt);
}
