using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DocStore.Server.Consistency;

/// <summary>
/// A session token in Cosmos DB's vector form: one entry per partition-key range,
/// <c>{rangeId}:{version}#{globalLsn}[#{regionId}={localLsn}...]</c>, entries joined by ','.
/// The embedded store issues the same form (<c>0:-1#42</c>).
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

    public override string ToString() => string.Join(',', Ranges);
}

/// <summary>The part of a session token for one partition-key range.</summary>
internal sealed record SessionTokenRange(string RangeId, long Version, long GlobalLsn, IReadOnlyDictionary<int, long> RegionLsns)
{
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
