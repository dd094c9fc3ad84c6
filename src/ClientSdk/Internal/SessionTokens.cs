using System.Globalization;

namespace DocStore.Client.Internal;

/// <summary>
/// Merges session tokens in Cosmos DB's vector form: <c>{pkRangeId}:{version}#{globalLsn}[#{region}={lsn}…]</c>,
/// several ranges joined by ','. Per range, the newer token wins: a higher version, or the same version
/// and a higher global LSN.
/// </summary>
internal static class SessionTokens
{
    /// <summary>
    /// The merge of <paramref name="known"/> and <paramref name="seen"/>: for each range, the newer of the two.
    /// A token that does not parse is opaque, and the one seen last wins.
    /// </summary>
    public static string Merge(string? known, string seen)
    {
        if (string.IsNullOrEmpty(known) || string.Equals(known, seen, StringComparison.Ordinal))
        {
            return seen;
        }

        if (!TryParse(known, out var knownRanges) || !TryParse(seen, out var seenRanges))
        {
            return seen;
        }

        var changed = false;
        foreach (var (range, token) in seenRanges)
        {
            if (!knownRanges.TryGetValue(range, out var existing) || IsNewer(token, existing))
            {
                knownRanges[range] = token;
                changed = true;
            }
        }

        return changed ? string.Join(',', knownRanges.Values.Select(t => t.Text)) : known;
    }

    private static bool IsNewer(RangeToken candidate, RangeToken current) =>
        candidate.Version > current.Version || (candidate.Version == current.Version && candidate.GlobalLsn > current.GlobalLsn);

    private static bool TryParse(string text, out Dictionary<string, RangeToken> ranges)
    {
        ranges = new Dictionary<string, RangeToken>(StringComparer.Ordinal);
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            var vector = part.AsSpan(colon + 1);
            var hash = vector.IndexOf('#');
            if (hash <= 0)
            {
                return false;
            }

            var rest = vector[(hash + 1)..];
            var nextHash = rest.IndexOf('#');
            var lsnText = nextHash < 0 ? rest : rest[..nextHash];
            if (!long.TryParse(vector[..hash], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version)
                || !long.TryParse(lsnText, NumberStyles.None, CultureInfo.InvariantCulture, out var lsn))
            {
                return false;
            }

            var range = part[..colon];
            var token = new RangeToken(part, version, lsn);
            if (!ranges.TryGetValue(range, out var existing) || IsNewer(token, existing))
            {
                ranges[range] = token;
            }
        }

        return true;
    }

    private readonly record struct RangeToken(string Text, long Version, long GlobalLsn);
}
