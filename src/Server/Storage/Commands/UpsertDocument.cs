namespace DocStore.Server.Storage.Commands;

/// <summary>Creates or replaces a document.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key, as found in <paramref name="Body"/>.</param>
/// <param name="Body">The whole document as UTF-8 JSON, system properties removed.</param>
/// <param name="IfMatch">When set, the write happens only if the stored etag equals it (an absent document does not match).</param>
internal sealed record UpsertDocument(CollectionDefinition Collection, DocumentKey Key, ReadOnlyMemory<byte> Body, string? IfMatch) : DocumentWrite(Collection, Key)
{
    /// <inheritdoc/>
    public override Task<StoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
