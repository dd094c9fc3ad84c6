namespace DocStore.Server.Storage.Commands;

/// <summary>Runs the operations in order as one transaction in one partition: all apply, or none.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="PartitionKey">The partition every operation's document is in.</param>
/// <param name="Operations">1 to 100 operations.</param>
internal sealed record ExecuteBatch(CollectionDefinition Collection, string PartitionKey, IReadOnlyList<BatchStep> Operations)
    : WriteCommand<BatchStoreResult>(Collection)
{
    /// <inheritdoc/>
    public override string PartitionKey { get; } = PartitionKey;

    /// <inheritdoc/>
    public override Task<BatchStoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
