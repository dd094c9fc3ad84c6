namespace DocStore.Server.Storage.Commands;

/// <summary>
/// What a real store implements: one method per command, chosen by the command itself (<see cref="StoreCommand{TResult}.RunOn"/>),
/// so that a store that misses a command does not compile. Decorators and test stores implement
/// <see cref="IDocumentStore"/> alone. Requests arrive validated against Cosmos DB's rules; a store reports expected
/// outcomes through the result's status and throws only for faults.
/// </summary>
internal interface IStoreCommandHandler
{
    /// <summary>Reads one document.</summary>
    Task<StoreResult> Handle(ReadDocument command, CancellationToken cancellationToken);

    /// <summary>Reads several documents, possibly of several partitions, at one session token.</summary>
    Task<ReadManyStoreResult> Handle(ReadDocuments command, CancellationToken cancellationToken);

    /// <summary>Reads one page of a query.</summary>
    Task<StorePage> Handle(QueryDocuments command, CancellationToken cancellationToken);

    /// <summary>Reads the next changes: the latest version of each changed document, oldest change first; deletes are not carried.</summary>
    Task<StorePage> Handle(ReadChangeFeed command, CancellationToken cancellationToken);

    /// <summary>Creates a document that must not exist yet: <see cref="StoreStatus.AlreadyExists"/> when it does.</summary>
    Task<StoreResult> Handle(CreateDocument command, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a document.</summary>
    Task<StoreResult> Handle(UpsertDocument command, CancellationToken cancellationToken);

    /// <summary>Replaces a whole document that must exist: <see cref="StoreStatus.NotFound"/> when it does not.</summary>
    Task<StoreResult> Handle(ReplaceDocument command, CancellationToken cancellationToken);

    /// <summary>Applies the operations in order, all or none.</summary>
    Task<StoreResult> Handle(PatchDocument command, CancellationToken cancellationToken);

    /// <summary>Deletes a document: on success, a result without a document whose session token names the state after the delete.</summary>
    Task<StoreResult> Handle(DeleteDocument command, CancellationToken cancellationToken);

    /// <summary>Runs the operations in order as one transaction in one partition: all apply, or none.</summary>
    Task<BatchStoreResult> Handle(ExecuteBatch command, CancellationToken cancellationToken);
}
