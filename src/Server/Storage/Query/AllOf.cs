namespace DocStore.Server.Storage.Query;

/// <summary>True when every filter is true.</summary>
internal sealed record AllOf(IReadOnlyList<DocumentFilter> Filters) : DocumentFilter;
