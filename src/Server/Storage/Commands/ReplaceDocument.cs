namespace DocStore.Server.Storage.Commands;

/// <summary>Replaces a whole document that must exist: <see cref="StoreStatus.NotFound"/> when it does not.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key, as found in <paramref name="Body"/>.</param>
/// <param name="Body">The whole document as UTF-8 JSON, system properties removed.</param>
/// <param name="IfMatch">When set, the write happens only if the stored etag equals it.</param>
internal sealed record ReplaceDocument(CollectionDefinition Collection, DocumentKey Key, ReadOnlyMemory<byte> Body, string? IfMatch) : DocumentWrite(Collection, Key)
{
    /// <inheritdoc/>
    public override Task<StoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
