namespace DocStore.Server.Storage;

/// <summary>What a member of <see cref="IDocumentStore"/> does to documents, which decides what the session-consistency decorator must do around it.</summary>
internal enum StoreOperationKind
{
    /// <summary>Reads documents: takes the caller's session token (a parameter named <c>sessionToken</c>), which the decorator merges with the shared ones of every partition read.</summary>
    Read,

    /// <summary>Writes documents of one partition: its result (an <see cref="IStoreOutcome"/>) carries the session token the decorator advances for that partition.</summary>
    Write,

    /// <summary>Touches no document (identity, health): nothing to merge or advance.</summary>
    None,
}

/// <summary>
/// Classifies a member of <see cref="IDocumentStore"/>. Every member carries one: a contract test
/// finds them by reflection and fails on a member without it, so that a new store operation cannot
/// be added without deciding how session tokens flow through it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal sealed class StoreOperationAttribute(StoreOperationKind kind) : Attribute
{
    /// <summary>What the member does to documents.</summary>
    public StoreOperationKind Kind { get; } = kind;
}
