using DocStore.Server.Storage.Query;

namespace DocStore.Server.Storage.Commands;

/// <summary>Reads one page of a query.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="PartitionKey">The partition, or <see langword="null"/> across partitions.</param>
/// <param name="Query">The filter and order.</param>
/// <param name="PageSize">The most documents the page holds.</param>
/// <param name="Continuation">The store's continuation from the previous page, or <see langword="null"/> for the first.</param>
/// <param name="SessionToken">When set, the page reflects at least the state this token names.</param>
internal sealed record QueryDocuments(CollectionDefinition Collection, string? PartitionKey, DocumentQuery Query, int PageSize, string? Continuation, string? SessionToken)
    : ReadCommand<StorePage>(Collection, SessionToken)
{
    /// <inheritdoc/>
    /// <remarks>
    /// A cross-partition query has no one partition: it reads at the caller's token and the store's own session
    /// (this process's writes); another pod's write that the caller holds no token for may be missing for up to the
    /// replicas' lag.
    /// </remarks>
    public override IReadOnlyList<string> Partitions => PartitionKey is null ? [] : [PartitionKey];

    /// <inheritdoc/>
    public override Task<StorePage> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
