namespace DocStore.Server.Storage.Commands;

/// <summary>A write of one document: its partition is the key's.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key.</param>
internal abstract record DocumentWrite(CollectionDefinition Collection, DocumentKey Key) : WriteCommand<StoreResult>(Collection)
{
    /// <inheritdoc/>
    public override string PartitionKey => Key.PartitionKey;
}
