namespace DocStore.Server.Storage;

/// <summary>A document with its key, as a query or the change feed returns it.</summary>
/// <param name="Key">The document's id and partition key.</param>
/// <param name="Document">The document and its metadata; its session token is the page's.</param>
internal sealed record StoredItem(DocumentKey Key, StoredDocument Document);
