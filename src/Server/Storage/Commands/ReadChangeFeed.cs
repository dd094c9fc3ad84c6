namespace DocStore.Server.Storage.Commands;

/// <summary>Reads the next changes: the latest version of each changed document, oldest change first; deletes are not carried.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="PartitionKey">One partition's changes, or <see langword="null"/> for the whole collection.</param>
/// <param name="Start">Where to begin; <see cref="ChangeFeedStart.After"/> holds the store's continuation.</param>
/// <param name="MaxItems">The most documents the page holds.</param>
/// <param name="SessionToken">When set, the page reflects at least the state this token names.</param>
internal sealed record ReadChangeFeed(CollectionDefinition Collection, string? PartitionKey, ChangeFeedStart Start, int MaxItems, string? SessionToken)
    : ReadCommand<StorePage>(Collection, SessionToken)
{
    /// <inheritdoc/>
    /// <remarks>One partition's feed reads at its shared token; the whole collection's as a cross-partition query does.</remarks>
    public override IReadOnlyList<string> Partitions => PartitionKey is null ? [] : [PartitionKey];

    /// <inheritdoc/>
    public override Task<StorePage> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
