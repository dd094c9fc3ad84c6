using System.Text.Json;

namespace DocStore.Server.Storage.Query;

/// <summary>How a <see cref="FieldCondition"/> compares a property with its value.</summary>
internal enum FilterOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    ArrayContains,
    StartsWith,
    Exists,
}

/// <summary>
/// A validated condition on documents, shared by Query and conditional Patch. Every store evaluates it
/// with Cosmos DB's three-valued logic (see <see cref="FilterEvaluator"/>, the reference).
/// </summary>
internal abstract record DocumentFilter;

/// <summary>A comparison of the property at <paramref name="Path"/>.</summary>
/// <param name="Path">The property; a segment of digits names an array element.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">
/// The value compared with: a JSON array of candidates for <see cref="FilterOperator.In"/>, and
/// <see langword="null"/> for <see cref="FilterOperator.Exists"/>.
/// </param>
internal sealed record FieldCondition(JsonPointer Path, FilterOperator Operator, JsonElement? Value) : DocumentFilter;

/// <summary>True when every filter is true.</summary>
internal sealed record AllOf(IReadOnlyList<DocumentFilter> Filters) : DocumentFilter;

/// <summary>True when at least one filter is true.</summary>
internal sealed record AnyOf(IReadOnlyList<DocumentFilter> Filters) : DocumentFilter;

/// <summary>The negation; the negation of undefined is undefined.</summary>
internal sealed record NotOf(DocumentFilter Filter) : DocumentFilter;

/// <summary>One ORDER BY path.</summary>
internal sealed record SortKey(JsonPointer Path, bool Descending);

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
