namespace DocStore.Server.Storage.Commands;

/// <summary>Deletes a document: on success, a result without a document whose session token names the state after the delete.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key.</param>
/// <param name="IfMatch">When set, the delete happens only if the stored etag equals it.</param>
internal sealed record DeleteDocument(CollectionDefinition Collection, DocumentKey Key, string? IfMatch) : DocumentWrite(Collection, Key)
{
    /// <inheritdoc/>
    public override Task<StoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
