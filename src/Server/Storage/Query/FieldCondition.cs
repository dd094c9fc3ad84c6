using System.Text.Json;

namespace DocStore.Server.Storage.Query;

/// <summary>A comparison of the property at <paramref name="Path"/>.</summary>
/// <param name="Path">The property; a segment of digits names an array element.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">
/// The value compared with: a JSON array of candidates for <see cref="FilterOperator.In"/>, and
/// <see langword="null"/> for <see cref="FilterOperator.Exists"/>.
/// </param>
internal sealed record FieldCondition(JsonPointer Path, FilterOperator Operator, JsonElement? Value) : DocumentFilter;
