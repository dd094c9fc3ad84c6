using DocStore.Server.Storage.Query;

namespace DocStore.Server.Storage.Commands;

/// <summary>Applies the operations in order, all or none.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The document's id and partition key.</param>
/// <param name="Operations">The validated operations.</param>
/// <param name="IfMatch">When set, the patch happens only if the stored etag equals it.</param>
/// <param name="Condition">When set, the patch happens only if the stored document matches it (<see cref="StoreStatus.ConditionNotMet"/> otherwise).</param>
internal sealed record PatchDocument(CollectionDefinition Collection, DocumentKey Key, IReadOnlyList<DocumentPatchOperation> Operations, string? IfMatch, DocumentFilter? Condition)
    : DocumentWrite(Collection, Key)
{
    /// <inheritdoc/>
    public override Task<StoreResult> RunOn(IStoreCommandHandler store, CancellationToken cancellationToken) => store.Handle(this, cancellationToken);
}
