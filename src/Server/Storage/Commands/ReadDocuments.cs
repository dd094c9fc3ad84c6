namespace DocStore.Server.Storage.Commands;

/// <summary>Reads several documents, possibly of several partitions, at one session token (ReadMany).</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Keys">1 to 100 distinct keys.</param>
/// <param name="SessionToken">When set, the read reflects at least the state this token names, in every partition it touches.</param>
internal sealed record ReadDocuments(CollectionDefinition Collection, IReadOnlyList<DocumentKey> Keys, string? SessionToken)
    : ReadCommand<ReadManyStoreResult>(Collection, SessionToken)
{
    /// <inheritdoc/>
    public override IReadOnlyList<string> Partitions => [.. Keys.Select(k => k.PartitionKey).Distinct(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public override Task<ReadManyStoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
