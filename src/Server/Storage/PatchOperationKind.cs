namespace DocStore.Server.Storage;

/// <summary>The partial-update operations, with Cosmos DB's semantics.</summary>
internal enum PatchOperationKind
{
    Set,
    Add,
    Replace,
    Remove,
    Increment,
    Move,
}
