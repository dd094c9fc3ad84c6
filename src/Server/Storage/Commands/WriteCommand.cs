namespace DocStore.Server.Storage.Commands;

/// <summary>
/// A command that writes documents of one partition: on success its outcome carries the session token that the
/// session-consistency decorator advances for <see cref="PartitionKey"/> before the write is acknowledged.
/// </summary>
/// <typeparam name="TResult">What the write returns.</typeparam>
/// <param name="Collection">The collection written.</param>
internal abstract record WriteCommand<TResult>(CollectionDefinition Collection) : StoreCommand<TResult>(Collection)
    where TResult : IStoreOutcome
{
    /// <summary>The partition every document the command writes is in.</summary>
    public abstract string PartitionKey { get; }
}
