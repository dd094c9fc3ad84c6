namespace DocStore.Server.Storage.Query;

/// <summary>True when at least one filter is true.</summary>
internal sealed record AnyOf(IReadOnlyList<DocumentFilter> Filters) : DocumentFilter;
