using DocStore.Server.Storage.Commands;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>The store port: each command goes to the method that implements it.</summary>
internal sealed partial class CosmosDocumentStore : IDocumentStore, IStoreCommandHandler, IStoreIdentity, IChangeSignal, IStoreProbe
{
    /// <inheritdoc/>
    public Task<TResult> ExecuteAsync<TResult>(StoreCommand<TResult> command, CancellationToken cancellationToken)
        where TResult : IStoreOutcome => command.RunOn(this, cancellationToken);

    Task<StoreResult> IStoreCommandHandler.Handle(ReadDocument command, CancellationToken cancellationToken) =>
        ReadAsync(command.Collection, command.Key, command.SessionToken, cancellationToken);

    Task<ReadManyStoreResult> IStoreCommandHandler.Handle(ReadDocuments command, CancellationToken cancellationToken) =>
        ReadManyAsync(command.Collection, command.Keys, command.SessionToken, cancellationToken);

    Task<StorePage> IStoreCommandHandler.Handle(QueryDocuments command, CancellationToken cancellationToken) =>
        QueryAsync(command.Collection, command.PartitionKey, command.Query, command.PageSize, command.Continuation, command.SessionToken, cancellationToken);

    Task<StorePage> IStoreCommandHandler.Handle(ReadChangeFeed command, CancellationToken cancellationToken) =>
        ReadChangesAsync(command.Collection, command.PartitionKey, command.Start, command.MaxItems, command.SessionToken, cancellationToken);

    Task<StoreResult> IStoreCommandHandler.Handle(CreateDocument command, CancellationToken cancellationToken) =>
        CreateAsync(command.Collection, command.Key, command.Body, cancellationToken);

    Task<StoreResult> IStoreCommandHandler.Handle(UpsertDocument command, CancellationToken cancellationToken) =>
        UpsertAsync(command.Collection, command.Key, command.Body, command.IfMatch, cancellationToken);

    Task<StoreResult> IStoreCommandHandler.Handle(ReplaceDocument command, CancellationToken cancellationToken) =>
        ReplaceAsync(command.Collection, command.Key, command.Body, command.IfMatch, cancellationToken);

    Task<StoreResult> IStoreCommandHandler.Handle(PatchDocument command, CancellationToken cancellationToken) =>
        PatchAsync(command.Collection, command.Key, command.Operations, command.IfMatch, command.Condition, cancellationToken);

    Task<StoreResult> IStoreCommandHandler.Handle(DeleteDocument command, CancellationToken cancellationToken) =>
        DeleteAsync(command.Collection, command.Key, command.IfMatch, cancellationToken);

    Task<BatchStoreResult> IStoreCommandHandler.Handle(ExecuteBatch command, CancellationToken cancellationToken) =>
        ExecuteBatchAsync(command.Collection, command.PartitionKey, command.Operations, cancellationToken);
}
