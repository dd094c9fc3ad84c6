namespace DocStore.Server.Storage.Query;

/// <summary>The negation; the negation of undefined is undefined.</summary>
internal sealed record NotOf(DocumentFilter Filter) : DocumentFilter;
