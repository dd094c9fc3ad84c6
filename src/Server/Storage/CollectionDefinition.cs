namespace DocStore.Server.Storage;

/// <summary>A configured collection: its public name, the store's container and the partition key path.</summary>
/// <param name="Name">The name callers use in requests.</param>
/// <param name="Container">The store's name for it (the Cosmos DB container, or the embedded store's key).</param>
/// <param name="PartitionKeyPath">The partition key path as configured, for example <c>/pk</c>.</param>
/// <param name="AllowCrossPartitionQuery">Whether a query may span every partition.</param>
internal sealed record CollectionDefinition(string Name, string Container, JsonPointer PartitionKeyPath, bool AllowCrossPartitionQuery = false);
