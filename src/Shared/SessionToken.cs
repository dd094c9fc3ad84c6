using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DocStore.Shared;

/// <summary>
/// A session token in Cosmos DB's vector form: one entry per partition-key range,
/// <c>{rangeId}:{version}#{globalLsn}[#{regionId}={localLsn}...]</c>, entries joined by ','.
/// The embedded store issues the same form (<c>0:-1#42</c>). This file is the one implementation of
/// the merge: it is compiled into the server and into the client package, and the server's Redis
/// advance script (AdvanceToken.lua) is held against it by a test.
/// </summary>
internal sealed class SessionToken
{
    private SessionToken(IReadOnlyList<SessionTokenRange> ranges) => Ranges = ranges;

    /// <summary>The entries, one per partition-key range, in the order given.</summary>
    public IReadOnlyList<SessionTokenRange> Ranges { get; }

    /// <summary>The token the embedded store issues after the write with this LSN.</summary>
    public static string ForEmbedded(long lsn) => string.Create(CultureInfo.InvariantCulture, $"0:-1#{lsn}");

    /// <summary>Parses a token, or explains in <paramref name="error"/> what is wrong with it.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SessionToken? token, [NotNullWhen(false)] out string? error)
    {
        token = null;
        var ranges = new List<SessionTokenRange>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(','))
        {
            if (!SessionTokenRange.TryParse(part, out var range))
            {
                error = $"{Quote.Short(part)} is not a session token entry of the form '<range>:<version>#<globalLsn>[#<region>=<lsn>...]'";
                return false;
            }

            if (!seen.Add(range.RangeId))
            {
                error = $"the session token names partition-key range {Quote.Short(range.RangeId)} more than once";
                return false;
            }

            ranges.Add(range);
        }

        token = new SessionToken(ranges);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses a token that came from somewhere trusted (a store, Redis, this process), where a
    /// malformed value means "no token" rather than a caller's mistake.
    /// </summary>
    public static SessionToken? ParseOrNull(string? text) =>
        !string.IsNullOrEmpty(text) && TryParse(text, out var token, out _) ? token : null;

    /// <summary>
    /// The merge of two tokens: every range either names, in the order first seen, and for a range
    /// both name, the merge of the two entries (<see cref="SessionTokenRange.Merge"/>). A read that
    /// passes the merge is at least as fresh as one that passes either token.
    /// </summary>
    public static SessionToken Merge(SessionToken first, SessionToken second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var merged = new List<SessionTokenRange>(first.Ranges.Count + second.Ranges.Count);
        merged.AddRange(first.Ranges);
        foreach (var range in second.Ranges)
        {
            var at = merged.FindIndex(r => r.RangeId == range.RangeId);
            if (at < 0)
            {
                merged.Add(range);
            }
            else
            {
                merged[at] = SessionTokenRange.Merge(merged[at], range);
            }
        }

        return new SessionToken(merged);
    }

    /// <summary>
    /// Merges tokens given as text, skipping absent and unparseable ones. Returns
    /// <see langword="null"/> when none is usable, and a single usable token unchanged.
    /// </summary>
    public static string? Merge(params ReadOnlySpan<string?> tokens)
    {
        string? onlyText = null;
        SessionToken? merged = null;
        var usable = 0;
        foreach (var text in tokens)
        {
            // The common case on a read: Redis and this pod hold the same token. Merging a token
            // with itself changes nothing, so it is parsed once.
            if (text is not null && text == onlyText)
            {
                continue;
            }

            if (ParseOrNull(text) is not { } token)
            {
                continue;
            }

            usable++;
            onlyText ??= text;
            merged = merged is null ? token : Merge(merged, token);
        }

        return usable switch
        {
            0 => null,
            1 => onlyText,
            _ => merged!.ToString(),
        };
    }

    /// <summary>The entry for one partition-key range, or <see langword="null"/>.</summary>
    public SessionTokenRange? Find(string rangeId)
    {
        foreach (var range in Ranges)
        {
            if (range.RangeId == rangeId)
            {
                return range;
            }
        }

        return null;
    }

    /// <summary>The token in its text form.</summary>
    public override string ToString() => string.Join(',', Ranges);
}

/// <summary>The part of a session token for one partition-key range.</summary>
internal sealed record SessionTokenRange(string RangeId, long Version, long GlobalLsn, IReadOnlyDictionary<int, long> RegionLsns)
{
    /// <summary>
    /// The merge of two entries for the same range, by the rules of the Cosmos DB SDK's vector session
    /// token (VectorSessionToken.Merge): the version and the global LSN each by maximum. When the
    /// versions differ, the region LSNs are those of the higher version, each raised to the other
    /// entry's LSN for the same region; a region only the lower version names is dropped, as it belongs
    /// to an older configuration of the partition. When the versions are equal, every region either
    /// names is kept at its maximum (the SDK expects equal region sets then and refuses others; keeping
    /// them all keeps the merge at least as fresh as either entry).
    /// </summary>
    public static SessionTokenRange Merge(SessionTokenRange first, SessionTokenRange second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var regions = first.RegionLsns;

        // Stryker disable once Equality : the short path for entries without region LSNs; the long one gives the same result.
        if (first.RegionLsns.Count + second.RegionLsns.Count > 0)
        {
            var (higher, lower) = second.Version > first.Version ? (second, first) : (first, second);
            var merged = new SortedDictionary<int, long>();
            foreach (var (region, lsn) in higher.RegionLsns)
            {
                merged[region] = lower.RegionLsns.TryGetValue(region, out var other) ? Math.Max(lsn, other) : lsn;
            }

            if (first.Version == second.Version)
            {
                foreach (var (region, lsn) in lower.RegionLsns)
                {
                    merged.TryAdd(region, lsn);
                }
            }

            regions = merged;
        }

        return new SessionTokenRange(first.RangeId, Math.Max(first.Version, second.Version), Math.Max(first.GlobalLsn, second.GlobalLsn), regions);
    }

    /// <summary>Parses one range's entry, <c>{rangeId}:{version}#{globalLsn}[#{regionId}={localLsn}...]</c>.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SessionTokenRange? range)
    {
        range = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !IsDigits(text.AsSpan(0, colon)))
        {
            return false;
        }

        var parts = text[(colon + 1)..].Split('#');
        if (parts.Length < 2
            || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var globalLsn))
        {
            return false;
        }

        var regions = new Dictionary<int, long>();
        for (var i = 2; i < parts.Length; i++)
        {
            var pair = parts[i].Split('=');
            if (pair.Length != 2
                || !int.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var region)
                || !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var lsn)
                || !regions.TryAdd(region, lsn))
            {
                return false;
            }
        }

        range = new SessionTokenRange(text[..colon], version, globalLsn, regions);
        return true;
    }

    /// <summary>The entry in its text form.</summary>
    public override string ToString()
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{RangeId}:{Version}#{GlobalLsn}");
        return RegionLsns.Count == 0
            ? head
            : head + string.Concat(RegionLsns.Select(r => string.Create(CultureInfo.InvariantCulture, $"#{r.Key}={r.Value}")));
    }

    private static bool IsDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
