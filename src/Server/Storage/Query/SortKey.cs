namespace DocStore.Server.Storage.Query;

/// <summary>One ORDER BY path.</summary>
internal sealed record SortKey(JsonPointer Path, bool Descending);
