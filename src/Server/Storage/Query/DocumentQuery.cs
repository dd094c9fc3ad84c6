namespace DocStore.Server.Storage.Query;

/// <summary>What a query selects and how it orders the result.</summary>
/// <param name="Filter">The condition, or <see langword="null"/> for every document.</param>
/// <param name="OrderBy">Zero to two sort paths.</param>
internal sealed record DocumentQuery(DocumentFilter? Filter, IReadOnlyList<SortKey> OrderBy)
{
    /// <summary>A segment that addresses an array element: digits without a leading zero, at most nine.</summary>
    public static bool IsArrayIndex(string segment) =>
        segment.Length is > 0 and <= 9
        && (segment == "0" || segment[0] != '0')
        && segment.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0;
}
