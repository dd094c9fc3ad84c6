namespace DocStore.Server.Storage;

/// <summary>Identifies one document within a collection: its id within its logical partition.</summary>
internal readonly record struct DocumentKey(string Id, string PartitionKey);
