namespace DocStore.Server.Storage.Commands;

/// <summary>Reads one document (Get).</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key.</param>
/// <param name="SessionToken">When set, the read reflects at least the state this token names.</param>
internal sealed record ReadDocument(CollectionDefinition Collection, DocumentKey Key, string? SessionToken)
    : ReadCommand<StoreResult>(Collection, SessionToken)
{
    /// <inheritdoc/>
    public override IReadOnlyList<string> Partitions => [Key.PartitionKey];

    /// <inheritdoc/>
    public override Task<StoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
