namespace DocStore.Server.Storage.Commands;

/// <summary>Creates a document that must not exist yet: <see cref="StoreStatus.AlreadyExists"/> when it does.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key, as found in <paramref name="Body"/>.</param>
/// <param name="Body">The whole document as UTF-8 JSON, system properties removed.</param>
internal sealed record CreateDocument(CollectionDefinition Collection, DocumentKey Key, ReadOnlyMemory<byte> Body) : DocumentWrite(Collection, Key)
{
    /// <inheritdoc/>
    public override Task<StoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
